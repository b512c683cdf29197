import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Collectors are shell scripts in this folder, named by their file stem. The default ones
 * run in every instance; a case adds others with `collect.scripts`.
 */
export const COLLECTORS_DIR = dirname(fileURLToPath(import.meta.url));

export const DEFAULT_COLLECTORS: readonly string[] = ['cloud-init-status', 'cloud-init-version', 'analyze-dump', 'schema-system', 'systemd-times'];

/** Files every harvest copies out of the instance, as cloud-init's first test framework did. */
export const DEFAULT_FILES: readonly string[] = [
  '/var/log/cloud-init.log',
  '/var/log/cloud-init-output.log',
  '/run/cloud-init/result.json',
  '/run/cloud-init/status.json',
  '/run/cloud-init/instance-data.json',
];

export function collectorNames(): Set<string> {
  return new Set(
    readdirSync(COLLECTORS_DIR)
      .filter((name) => name.endsWith('.sh'))
      .map((name) => name.slice(0, -'.sh'.length)),
  );
}

export async function collectorScript(name: string): Promise<string> {
  return readFile(join(COLLECTORS_DIR, `${name}.sh`), 'utf8');
}
