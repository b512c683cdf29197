import { DRIVER_CAPABILITY_PATTERN, KNOWN_CAPABILITIES } from '../core/capabilities.js';

/** `expect:` in a case, and in an expectations file that changes it. */
export const expectSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['done', 'error'] },
    log_warnings: { type: 'array', items: { type: 'string', minLength: 1 } },
    traceback: { type: 'boolean' },
    schema_valid: { type: 'boolean' },
  },
} as const;

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
    collect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        files: { type: 'array', items: { type: 'string', pattern: '^/' }, uniqueItems: true },
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
  collect?: { files?: string[]; commands?: Record<string, string>; scripts?: string[] };
  expect?: { status?: 'done' | 'error'; log_warnings?: string[]; traceback?: boolean; schema_valid?: boolean };
  facts?: Record<string, string>;
}
