import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { HarnessError } from '../core/errors.js';
import type { CaseExpectations, TestCase } from './case.js';
import { expectSchema, factsSchema } from './case-schema.js';

/**
 * Expectations files: what differs between distros, releases and vendors' images, kept
 * out of the cases so that a vendor can run our cases against their image with their
 * own facts (the default user, paths, service names) and their own expectations
 * (a WARNING their image gives, a case their image cannot pass) without forking.
 *
 *   platforms:                      # by platform name, exactly
 *     qemu:
 *       facts: {console: ttyS0}
 *   images:                         # by image ref; `*` matches any run of characters
 *     "debian/*":
 *       facts: {default_user: debian}
 *   cases:
 *     timezone:
 *       skip: "our image has no tzdata"      # on every image
 *       platforms:
 *         lxd: {skip: "a container cannot set the clock zone of the host"}
 *       images:
 *         "debian/bookworm":
 *           expect: {log_warnings: ["some WARNING text"]}
 *       facts: {...}
 *
 * Files are applied in order, each overriding the one before: ours first, then every
 * `--expectations` file. Within a file: the platform's, then the image's, then the
 * case's own, its platform's and its image's. Facts merge key by key;
 * `expect.log_warnings` adds patterns.
 */
export interface Overlay {
  readonly skip?: string;
  readonly facts?: Readonly<Record<string, string>>;
  readonly expect?: Partial<{ status: CaseExpectations['status']; log_warnings: string[]; traceback: boolean; schema_valid: boolean }>;
}

export interface ExpectationsFile {
  readonly file: string;
  readonly platforms?: Readonly<Record<string, Overlay>>;
  readonly images?: Readonly<Record<string, Overlay>>;
  readonly cases?: Readonly<Record<string, Overlay & { readonly platforms?: Readonly<Record<string, Overlay>>; readonly images?: Readonly<Record<string, Overlay>> }>>;
}

/** What one case expects on one image, after every file has had its say. */
export interface CellExpectations {
  readonly skip: string | undefined;
  readonly facts: Readonly<Record<string, string>>;
  readonly expect: CaseExpectations;
}

const overlaySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    skip: { type: 'string', minLength: 1 },
    facts: factsSchema,
    expect: expectSchema,
  },
} as const;

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    platforms: { type: 'object', additionalProperties: overlaySchema },
    images: { type: 'object', additionalProperties: overlaySchema },
    cases: {
      type: 'object',
      additionalProperties: {
        ...overlaySchema,
        properties: {
          ...overlaySchema.properties,
          platforms: { type: 'object', additionalProperties: overlaySchema },
          images: { type: 'object', additionalProperties: overlaySchema },
        },
      },
    },
  },
} as const;

const validateFile = new Ajv({ allErrors: false }).compile(fileSchema);

export async function loadExpectations(file: string): Promise<ExpectationsFile> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new HarnessError('USAGE', `cannot read expectations file ${file}: ${(error as Error).message}`);
  });
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', lineCounter, prettyErrors: false });
  const parseError = doc.errors[0];
  if (parseError) {
    throw new HarnessError('USAGE', `${file}:${lineCounter.linePos(parseError.pos[0]).line}: not valid YAML: ${parseError.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  if (!validateFile(raw)) {
    const error = validateFile.errors?.[0];
    const extra = error?.keyword === 'additionalProperties' ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"` : '';
    throw new HarnessError('USAGE', `${file}: ${error?.instancePath || '(top level)'} ${error?.message ?? 'is not valid'}${extra}`, {
      hint: 'see docs/testcases.md, "Expectations"',
    });
  }
  return { file, ...(raw as Omit<ExpectationsFile, 'file'>) };
}

/** Where a cell runs, as expectations files key on it. */
export interface CellPlace {
  readonly image: string;
  readonly platform: string;
}

export function cellExpectations(testCase: TestCase, place: CellPlace, files: readonly ExpectationsFile[]): CellExpectations {
  const overlays: Overlay[] = [];
  const keyed = (byPlatform: Readonly<Record<string, Overlay>> | undefined, byImage: Readonly<Record<string, Overlay>> | undefined): void => {
    const forPlatform = byPlatform?.[place.platform];
    if (forPlatform) overlays.push(forPlatform);
    for (const [pattern, overlay] of Object.entries(byImage ?? {})) if (matches(pattern, place.image)) overlays.push(overlay);
  };
  for (const file of files) {
    keyed(file.platforms, file.images);
    const forCase = file.cases?.[testCase.name];
    if (forCase) {
      overlays.push(forCase);
      keyed(forCase.platforms, forCase.images);
    }
  }
  let skip: string | undefined;
  let facts: Record<string, string> = { ...testCase.facts };
  let expect: CaseExpectations = testCase.expect;
  for (const overlay of overlays) {
    skip = overlay.skip ?? skip;
    facts = { ...facts, ...overlay.facts };
    const change = overlay.expect;
    if (change) {
      expect = {
        status: change.status ?? expect.status,
        logWarnings: [...expect.logWarnings, ...(change.log_warnings ?? [])],
        traceback: change.traceback ?? expect.traceback,
        schemaValid: change.schema_valid ?? expect.schemaValid,
      };
    }
  }
  return { skip, facts, expect };
}

function matches(pattern: string, imageRef: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(imageRef);
}
