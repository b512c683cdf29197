import { readFile } from 'node:fs/promises';
import Ajv04 from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/**
 * Checks a case's cloud-config against the JSON schema that the cloud-init under test
 * ships, on the host, before anything boots. cloud-init's schema declares draft-04 but
 * uses `$defs` and keywords of its own (`deprecated`, ...): hence `strict: false`. Formats
 * (uri, hostname) are not enforced, as cloud-init's own `schema` command does not fail on them.
 */
export type CloudConfigValidator = (userData: string) => string[];

const compiled = new Map<string, Promise<CloudConfigValidator>>();

export function cloudConfigValidator(schemaPath: string): Promise<CloudConfigValidator> {
  let validator = compiled.get(schemaPath);
  if (!validator) {
    validator = readFile(schemaPath, 'utf8').then((text) => {
      const Ajv = Ajv04 as unknown as new (options: object) => { compile(schema: object): ValidateFunction };
      const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false }).compile(JSON.parse(text) as object);
      return (userData: string) => problemsOf(validate, userData);
    });
    compiled.set(schemaPath, validator);
  }
  return validator;
}

/** Only plain cloud-config is checked: a jinja template is rendered in the instance, other formats have no schema. */
export function isPlainCloudConfig(userData: string): boolean {
  return userData.startsWith('#cloud-config\n') || userData.startsWith('#cloud-config\r\n');
}

function problemsOf(validate: ValidateFunction, userData: string): string[] {
  const config: unknown = bytesAsText(parse(userData, { version: '1.1' }) ?? {});
  if (validate(config)) return [];
  return unique((validate.errors ?? []).filter(isLeaf).map(describe));
}

/** cloud-init's PyYAML gives `!!binary` as bytes, which its schema accepts where it asks for a string. */
function bytesAsText(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (Array.isArray(value)) return value.map(bytesAsText);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bytesAsText(item)]));
  return value;
}

/** anyOf/oneOf failures repeat what their branches said; the branches name the key. */
function isLeaf(error: ErrorObject): boolean {
  return error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && error.keyword !== 'if';
}

function describe(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
  if (error.keyword === 'additionalProperties') {
    return `${path}: unknown key "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  return `${path}: ${error.message ?? 'is not valid'}`;
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}
