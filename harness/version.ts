import { readFileSync } from 'node:fs';

/** The version in package.json, read once. */
export function harnessVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}
