import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { HarnessError } from '../core/errors.js';
import type { AppliedOverlay } from '../results-schema/case-expectations.js';
import { toLogExpectations, toMark, type CaseExpectations, type Mark, type TestCase } from './case.js';
import { expectSchema, factsSchema, markSchema, overlayProblem, type ExpectFile, type MarkFile } from './case-schema.js';
import { cloudInitSatisfies } from './cloud-init-version.js';
import { fieldName, mostUsefulError, schemaErrorHint } from './loader.js';

export type { AppliedOverlay } from '../results-schema/case-expectations.js';

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
 *           expect: {log_warnings: ["some WARNING text", {pattern: "another", required: true}]}
 *           xfail: {reason: "known bug canonical/cloud-init#1234, fixed in 25.3", cloud_init: "<25.3"}
 *       facts: {...}
 *
 * Files are applied in order, each overriding the one before: ours first, then every
 * `--expectations` file. Within a file: the platform's, then the image's, then the
 * case's own, its platform's and its image's. Facts merge key by key;
 * `expect.log_warnings` and `expect.tracebacks` add entries. A `skip` or `xfail` bounded
 * by `cloud_init` holds only where the cell's cloud-init is in that range; outside it,
 * it leaves the cell as it was.
 */
export interface Overlay {
  readonly skip?: MarkFile;
  readonly xfail?: MarkFile;
  readonly facts?: Readonly<Record<string, string>>;
  readonly expect?: Readonly<ExpectFile>;
}

export interface CaseOverlay extends Overlay {
  readonly platforms?: Readonly<Record<string, Overlay>>;
  readonly images?: Readonly<Record<string, Overlay>>;
}

export interface ExpectationsFile {
  readonly file: string;
  readonly platforms?: Readonly<Record<string, Overlay>>;
  readonly images?: Readonly<Record<string, Overlay>>;
  readonly cases?: Readonly<Record<string, CaseOverlay>>;
}

/** What one case expects on one image, after every file has had its say. */
export interface CellExpectations {
  /** Why the cell is not run. */
  readonly skip: string | undefined;
  /** Why the cell is expected to fail: a failure is then `xfailed`, a pass `xpassed`. */
  readonly xfail: string | undefined;
  readonly facts: Readonly<Record<string, string>>;
  readonly expect: CaseExpectations;
  /** Every overlay that matched, in the order applied. */
  readonly applied: readonly AppliedOverlay[];
}

const overlayProperties = {
  skip: markSchema,
  xfail: markSchema,
  facts: factsSchema,
  expect: expectSchema,
} as const;

const overlaySchema = { type: 'object', additionalProperties: false, properties: overlayProperties } as const;

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    platforms: { type: 'object', additionalProperties: overlaySchema },
    images: { type: 'object', additionalProperties: overlaySchema },
    cases: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...overlayProperties,
          platforms: { type: 'object', additionalProperties: overlaySchema },
          images: { type: 'object', additionalProperties: overlaySchema },
        },
      },
    },
  },
} as const;

const validateFile = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(fileSchema);

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
    const error = mostUsefulError(validateFile.errors ?? []);
    const detail =
      error.keyword === 'additionalProperties' ? `has unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"` : (error.message ?? 'is not valid');
    throw new HarnessError('USAGE', `${file}: ${fieldName(error.instancePath)} ${detail}`, { hint: schemaErrorHint(error) ?? 'see docs/testcases.md, "Expectations files"' });
  }
  const expectations = { file, ...(raw as Omit<ExpectationsFile, 'file'>) };
  for (const { pointer, overlay } of allOverlays(expectations)) {
    const problem = overlayProblem(overlay, pointer);
    if (problem) throw new HarnessError('USAGE', `${file}: ${fieldName(problem.path)} ${problem.message}`, { hint: 'see docs/testcases.md, "Expectations files"' });
  }
  return expectations;
}

/** Where a cell runs, as expectations files key on it. */
export interface CellPlace {
  readonly image: string;
  readonly platform: string;
  /** The image's (or the build's) cloud-init version, as its package reports it; bounds `skip` and `xfail`. */
  readonly cloudInit: string | undefined;
}

interface PlacedOverlay {
  readonly pointer: string;
  readonly overlay: Overlay;
}

export function cellExpectations(testCase: TestCase, place: CellPlace, files: readonly ExpectationsFile[]): CellExpectations {
  let skip: string | undefined;
  let xfail = testCase.xfail !== undefined && holds(testCase.xfail, place.cloudInit).active ? testCase.xfail.reason : undefined;
  let facts: Record<string, string> = { ...testCase.facts };
  let expect: CaseExpectations = testCase.expect;
  const applied: AppliedOverlay[] = [];
  for (const file of files) {
    for (const { pointer, overlay } of matchingOverlays(file, testCase.name, place)) {
      const changed: string[] = [];
      const mark = (field: 'skip' | 'xfail', current: string | undefined): string | undefined => {
        const raw = overlay[field];
        if (raw === undefined) return current;
        const given = toMark(raw);
        const { active, note } = holds(given, place.cloudInit);
        if (!active) {
          changed.push(`${field} not applied: ${note}`);
          return current;
        }
        if (given.reason !== current) changed.push(note === '' ? field : `${field} (${note})`);
        return given.reason;
      };
      skip = mark('skip', skip);
      xfail = mark('xfail', xfail);
      for (const [name, value] of Object.entries(overlay.facts ?? {})) if (facts[name] !== value) changed.push(`facts.${name}`);
      facts = { ...facts, ...overlay.facts };
      const change = overlay.expect;
      if (change) {
        const logWarnings = toLogExpectations(change.log_warnings ?? []);
        const tracebacks = toLogExpectations(change.tracebacks ?? []);
        const next: CaseExpectations = {
          status: change.status ?? expect.status,
          logWarnings: [...expect.logWarnings, ...logWarnings],
          tracebacks: [...expect.tracebacks, ...tracebacks],
          schemaValid: change.schema_valid ?? expect.schemaValid,
        };
        if (next.status !== expect.status) changed.push('expect.status');
        if (logWarnings.length > 0) changed.push(`expect.log_warnings +${logWarnings.length}`);
        if (tracebacks.length > 0) changed.push(`expect.tracebacks +${tracebacks.length}`);
        if (next.schemaValid !== expect.schemaValid) changed.push('expect.schema_valid');
        expect = next;
      }
      applied.push({ file: file.file, key: fieldName(pointer), changed });
    }
  }
  return { skip, xfail, facts, expect, applied };
}

/**
 * Whether a mark holds for this cloud-init. With no recorded version it holds: a known
 * bug stays marked rather than failing every cell of an image that does not say.
 */
function holds(mark: Mark, cloudInit: string | undefined): { readonly active: boolean; readonly note: string } {
  if (mark.cloudInit === undefined) return { active: true, note: '' };
  const satisfied = cloudInit === undefined ? undefined : cloudInitSatisfies(cloudInit, mark.cloudInit);
  if (satisfied === undefined) return { active: true, note: `cloud-init version unknown, taken to be in ${mark.cloudInit}` };
  return satisfied
    ? { active: true, note: `cloud-init ${cloudInit} is in ${mark.cloudInit}` }
    : { active: false, note: `cloud-init ${cloudInit} is outside ${mark.cloudInit}` };
}

function matchingOverlays(file: ExpectationsFile, caseName: string, place: CellPlace): PlacedOverlay[] {
  const keyed = (prefix: string, scope: { readonly platforms?: Readonly<Record<string, Overlay>>; readonly images?: Readonly<Record<string, Overlay>> }): PlacedOverlay[] => {
    const forPlatform = scope.platforms?.[place.platform];
    return [
      ...(forPlatform ? [{ pointer: `${prefix}/platforms/${escape(place.platform)}`, overlay: forPlatform }] : []),
      ...Object.entries(scope.images ?? {})
        .filter(([pattern]) => matches(pattern, place.image))
        .map(([pattern, overlay]) => ({ pointer: `${prefix}/images/${escape(pattern)}`, overlay })),
    ];
  };
  const forCase = file.cases?.[caseName];
  const casePointer = `/cases/${escape(caseName)}`;
  return [...keyed('', file), ...(forCase ? [{ pointer: casePointer, overlay: forCase }, ...keyed(casePointer, forCase)] : [])];
}

/** Every overlay in a file, matching or not, for checks at load time. */
function allOverlays(file: ExpectationsFile): PlacedOverlay[] {
  const scoped = (prefix: string, scope: { readonly platforms?: Readonly<Record<string, Overlay>>; readonly images?: Readonly<Record<string, Overlay>> }): PlacedOverlay[] =>
    (['platforms', 'images'] as const).flatMap((kind) =>
      Object.entries(scope[kind] ?? {}).map(([key, overlay]) => ({ pointer: `${prefix}/${kind}/${escape(key)}`, overlay })),
    );
  return [
    ...scoped('', file),
    ...Object.entries(file.cases ?? {}).flatMap(([name, overlay]) => [{ pointer: `/cases/${escape(name)}`, overlay }, ...scoped(`/cases/${escape(name)}`, overlay)]),
  ];
}

/** A key as a JSON pointer segment. */
function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function matches(pattern: string, imageRef: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return regex.test(imageRef);
}
