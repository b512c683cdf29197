import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { UsageError } from '../../core/errors.js';

/**
 * `cloudproof.yaml`: what a project or a vendor's CI would otherwise repeat on every
 * command, the platform and its settings. Flags win over it.
 *
 *   platform:
 *     module: ./drivers/acme.ts      # or `name: lxd`; a path is taken from this file's folder
 *     options: {region: eu-1}
 */
export const DEFAULT_CONFIG_FILE = 'cloudproof.yaml';

export interface PlatformConfig {
  readonly name: string | undefined;
  readonly module: string | undefined;
  /** Where a relative `module` is resolved from. */
  readonly moduleBase: string;
  readonly options: Readonly<Record<string, string>>;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    platform: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        module: { type: 'string', minLength: 1 },
        options: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } },
      },
    },
  },
} as const;
// Compiled on first use, as yaml is loaded: most commands run with no config file, and the two are a third of the CLI's start-up.
let compiled: ValidateFunction | undefined;
async function validator(): Promise<ValidateFunction> {
  const { Ajv } = await import('ajv');
  compiled ??= new Ajv({ allErrors: false }).compile(schema);
  return compiled;
}

interface RawConfig {
  readonly platform?: { readonly name?: string; readonly module?: string; readonly options?: Record<string, string | number | boolean> };
}

/** The named file (which must exist), else ./cloudproof.yaml when there is one, else nothing. */
export async function readPlatformConfig(named: string | undefined, cwd: string): Promise<PlatformConfig | undefined> {
  const path = resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  if (named === undefined && !existsSync(path)) return undefined;
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new UsageError(`cannot read the config file ${path}: ${(error as Error).message}`, 'give an existing file with --config');
  });
  const { LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const parseError = doc.errors[0];
  if (parseError) throw new UsageError(`${path}:${lineCounter.linePos(parseError.pos[0]).line}: not valid YAML: ${parseError.message.split('\n')[0]}`);
  const raw: unknown = doc.toJS() ?? {};
  const validate = await validator();
  if (!validate(raw)) {
    const error = validate.errors?.[0];
    const extra = error?.keyword === 'additionalProperties' ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"` : '';
    throw new UsageError(`${path}: ${error?.instancePath || '(top level)'} ${error?.message ?? 'is not valid'}${extra}`, 'see docs/platforms.md, "Settings"');
  }
  const platform = (raw as RawConfig).platform ?? {};
  return {
    name: platform.name,
    module: platform.module,
    moduleBase: dirname(path),
    options: Object.fromEntries(Object.entries(platform.options ?? {}).map(([key, value]) => [key, String(value)])),
  };
}
