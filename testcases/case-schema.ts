import { DRIVER_CAPABILITY_PATTERN, KNOWN_CAPABILITIES } from '../core/capabilities.js';
import { badVersionRange } from './cloud-init-version.js';

/**
 * A `log_warnings` or `tracebacks` entry: a pattern that allows matching lines, or an
 * object that also demands them (`required: true`: at least one; `count: N`: exactly N).
 */
const logExpectationSchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['pattern'],
      properties: {
        pattern: { type: 'string', minLength: 1 },
        required: { type: 'boolean' },
        count: { type: 'integer', minimum: 1 },
      },
    },
  ],
} as const;

/** `expect:` in a case, and in an expectations file that changes it. */
export const expectSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['done', 'error'] },
    log_warnings: { type: 'array', items: logExpectationSchema },
    tracebacks: { type: 'array', items: logExpectationSchema },
    schema_valid: { type: 'boolean' },
  },
} as const;

/** A `skip` or `xfail`: the reason, or the reason and the cloud-init versions it holds for. */
export const markSchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['reason'],
      properties: {
        reason: { type: 'string', minLength: 1 },
        cloud_init: { type: 'string', minLength: 1 },
      },
    },
  ],
} as const;

/** Fields that were replaced, and what to write instead: the schema refuses them, the hint says why. */
export const REPLACED_FIELDS: Readonly<Record<string, string>> = {
  traceback:
    'expect.traceback was replaced by expect.tracebacks, a list of patterns of the exceptions allowed, e.g. tracebacks: ["ProcessExecutionError: Unexpected error while running command"]',
};

export const factsSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** JSON Schema of a case YAML file; docs/testcases.md explains each field. */
export const caseSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 48 },
    description: { type: 'string', minLength: 1 },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' }, uniqueItems: true },
    timeout: { type: 'integer', minimum: 1, maximum: 3600 },
    requires: {
      type: 'object',
      additionalProperties: false,
      properties: {
        cloud_init: { type: 'string', minLength: 1 },
        capabilities: {
          type: 'array',
          // A driver's own capability is namespaced (`gce:metadata-server`), so a misspelt known one is still refused.
          items: { anyOf: [{ enum: Object.keys(KNOWN_CAPABILITIES) }, { type: 'string', pattern: DRIVER_CAPABILITY_PATTERN.source }] },
          uniqueItems: true,
        },
        platforms: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
      },
    },
    user_data: { type: 'string', minLength: 1 },
    cloud_config: { type: ['object', 'string'] },
    // The other parts of a seed, as the platform delivers them (LaunchSpec): vendor-data as text or as cloud-config, meta-data's extra keys, a network-config v1 or v2.
    vendor_data: { type: ['object', 'string'] },
    meta_data: { type: 'object' },
    network_config: { type: ['object', 'string'] },
    // What serves exec, push and pull (the harvest too): it needs the platform's capability of that name, or the cell is skipped.
    transport: { enum: ['ssh', 'out-of-band'] },
    boots: { type: 'integer', minimum: 1, maximum: 5 },
    // Never shares its boot with other cases (harness/packing/): what it proves is about a boot of its own.
    isolated: { type: 'boolean' },
    reboot: { enum: ['harness', 'instance'] },
    before_reboot: { type: 'string', minLength: 1 },
    collect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // An absolute path, or one that starts with a fact (`{{default_user_home}}/.ssh`), filled in per image.
        files: { type: 'array', items: { type: 'string', pattern: '^(/|\\{\\{)' }, uniqueItems: true },
        commands: {
          type: 'object',
          propertyNames: { pattern: '^[a-z0-9][a-z0-9_-]*$' },
          additionalProperties: { type: 'string', minLength: 1 },
        },
        scripts: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      },
    },
    facts: factsSchema,
    expect: expectSchema,
    xfail: markSchema,
  },
  required: ['description'],
  oneOf: [{ required: ['user_data'] }, { required: ['cloud_config'] }],
} as const;

/** The raw shape the schema admits. */
export interface CaseFile {
  name?: string;
  description: string;
  tags?: string[];
  timeout?: number;
  requires?: { cloud_init?: string; capabilities?: string[]; platforms?: string[] };
  user_data?: string;
  cloud_config?: Record<string, unknown> | string;
  vendor_data?: Record<string, unknown> | string;
  meta_data?: Record<string, unknown>;
  network_config?: Record<string, unknown> | string;
  transport?: 'ssh' | 'out-of-band';
  boots?: number;
  isolated?: boolean;
  reboot?: 'harness' | 'instance';
  before_reboot?: string;
  collect?: { files?: string[]; commands?: Record<string, string>; scripts?: string[] };
  expect?: ExpectFile;
  facts?: Record<string, string>;
  xfail?: MarkFile;
}

/** A `log_warnings` or `tracebacks` entry as written. */
export type LogExpectationFile = string | { pattern: string; required?: boolean; count?: number };

export interface ExpectFile {
  status?: 'done' | 'error';
  log_warnings?: LogExpectationFile[];
  tracebacks?: LogExpectationFile[];
  schema_valid?: boolean;
}

/** A `skip` or `xfail` as written. */
export type MarkFile = string | { reason: string; cloud_init?: string };

/** A problem the schema cannot see, at a JSON pointer into the file. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * What the schema cannot check in `expect`, `skip` and `xfail` (of a case or an
 * overlay at `path`): patterns must compile and ranges must be ranges, so a typo stops
 * the run at load time instead of failing or excusing every cell.
 */
export function overlayProblem(raw: { readonly expect?: ExpectFile; readonly skip?: MarkFile; readonly xfail?: MarkFile }, path: string): FieldProblem | undefined {
  for (const field of ['log_warnings', 'tracebacks'] as const) {
    for (const [index, entry] of (raw.expect?.[field] ?? []).entries()) {
      const pattern = typeof entry === 'string' ? entry : entry.pattern;
      try {
        new RegExp(pattern);
      } catch (error) {
        return { path: `${path}/expect/${field}/${index}`, message: `is not a valid regular expression: ${(error as Error).message}` };
      }
    }
  }
  for (const field of ['skip', 'xfail'] as const) {
    const mark = raw[field];
    const problem = typeof mark === 'object' && mark.cloud_init !== undefined ? badVersionRange(mark.cloud_init) : undefined;
    if (problem !== undefined) return { path: `${path}/${field}/cloud_init`, message: problem };
  }
  return undefined;
}
