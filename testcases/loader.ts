import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import semver from 'semver';
import { Document, LineCounter, parseDocument } from 'yaml';
import { HarnessError } from '../core/errors.js';
import type { Capability, Transport } from '../platforms/types.js';
import { caseSchema, overlayProblem, REPLACED_FIELDS, type CaseFile } from './case-schema.js';
import { DEFAULT_TIMEOUT_S, toLogExpectations, toMark, type CaseBoots, type CaseSeed, type TestCase } from './case.js';
import { checkUserData } from './user-data.js';

const CHECKS_SUFFIXES = ['.checks.ts', '.checks.js'];

const ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true });
const validateCaseFile = ajv.compile<CaseFile>(caseSchema);

/**
 * Reads every case YAML file below `dirs`, validates all of them and returns the cases.
 * Any broken file stops the run here, before anything is launched, with one line that
 * names the file, the line and the field.
 */
export async function loadCases(dirs: readonly string[], collectorNames: ReadonlySet<string>): Promise<TestCase[]> {
  const cases: TestCase[] = [];
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    const root = resolve(dir);
    if (!existsSync(root)) {
      throw new HarnessError('USAGE', `test case folder ${dir} does not exist`, { hint: 'pass an existing folder to --testcases' });
    }
    for (const file of await findCaseFiles(root)) {
      const testCase = await loadCase(file, collectorNames);
      const other = seen.get(testCase.name);
      if (other !== undefined) {
        throw new HarnessError('INVALID_CASE', `${displayPath(file)}: case name "${testCase.name}" is already used by ${displayPath(other)}`, {
          hint: 'give one of them another `name:`',
        });
      }
      seen.set(testCase.name, file);
      cases.push(testCase);
    }
  }
  return cases.sort((a, b) => a.name.localeCompare(b.name));
}

export async function loadCase(file: string, collectorNames: ReadonlySet<string>): Promise<TestCase> {
  const text = await readFile(file, 'utf8');
  const lineCounter = new LineCounter();
  // YAML 1.1, as cloud-init's PyYAML reads it: `0644` stays octal and `yes` stays true in cloud_config.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.1' });
  const where = (line: number | undefined): string => `${displayPath(file)}${line === undefined ? '' : `:${line}`}`;
  const firstError = doc.errors[0];
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw new HarnessError('INVALID_CASE', `${where(line)}: not valid YAML: ${firstError.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (!validateCaseFile(raw)) {
    const error = mostUsefulError(validateCaseFile.errors ?? []);
    const extra = error.keyword === 'additionalProperties' ? `/${(error.params as { additionalProperty: string }).additionalProperty}` : '';
    const line = lineOf(doc, lineCounter, error.instancePath + extra);
    throw new HarnessError('INVALID_CASE', `${where(line)}: ${describeSchemaError(error)}`, { hint: schemaErrorHint(error) ?? 'see docs/testcases.md for the case fields' });
  }
  const fieldLine = (path: string): number | undefined => lineOf(doc, lineCounter, path);

  const name = raw.name ?? basename(file).replace(/\.ya?ml$/, '');
  const failUserData = (message: string, path: string): never => {
    throw new HarnessError('INVALID_USER_DATA', `${where(fieldLine(path))}: ${message}`);
  };
  // A case about invalid user-data (schema_valid: false) must be able to send it.
  const userData = renderUserData(raw, doc, { checked: raw.expect?.schema_valid !== false, fail: failUserData });
  const seed = caseSeed(raw, doc, failUserData);
  const boots = caseBoots(raw, (message, path) => {
    throw new HarnessError('INVALID_CASE', `${where(fieldLine(path))}: ${message}`);
  });

  const problem = overlayProblem(raw, '');
  if (problem) throw new HarnessError('INVALID_CASE', `${where(fieldLine(problem.path))}: ${fieldName(problem.path)} ${problem.message}`);
  const cloudInit = raw.requires?.cloud_init;
  if (cloudInit !== undefined && semver.validRange(cloudInit) === null) {
    throw new HarnessError('INVALID_CASE', `${where(fieldLine('/requires/cloud_init'))}: requires.cloud_init "${cloudInit}" is not a version range`, {
      hint: 'write it like ">=23.4" or ">=22.4 <25"',
    });
  }
  for (const [index, script] of (raw.collect?.scripts ?? []).entries()) {
    if (!collectorNames.has(script)) {
      throw new HarnessError('INVALID_CASE', `${where(fieldLine(`/collect/scripts/${index}`))}: collect.scripts names "${script}", which is not a collector`, {
        hint: `known collectors: ${[...collectorNames].sort().join(', ')}`,
      });
    }
  }

  return {
    name,
    file,
    sha256: createHash('sha256').update(text).digest('hex'),
    checksFile: findChecksFile(file),
    description: raw.description,
    tags: raw.tags ?? [],
    timeoutS: raw.timeout ?? DEFAULT_TIMEOUT_S,
    userData,
    seed,
    transport: raw.transport,
    boots,
    isolated: raw.isolated ?? false,
    requires: {
      cloudInit,
      capabilities: [...new Set([...((raw.requires?.capabilities ?? []) as Capability[]), ...impliedCapabilities(seed, boots, raw.transport)])],
      platforms: raw.requires?.platforms,
    },
    collect: {
      files: raw.collect?.files ?? [],
      commands: raw.collect?.commands ?? {},
      scripts: raw.collect?.scripts ?? [],
    },
    expect: {
      status: raw.expect?.status ?? 'done',
      logWarnings: toLogExpectations(raw.expect?.log_warnings ?? []),
      tracebacks: toLogExpectations(raw.expect?.tracebacks ?? []),
      schemaValid: raw.expect?.schema_valid ?? true,
    },
    facts: raw.facts ?? {},
    xfail: raw.xfail === undefined ? undefined : toMark(raw.xfail),
  };
}

/** The capability a launch needs for each transport it can ask for (LaunchSpec.transport). */
const TRANSPORT_CAPABILITY: Readonly<Record<Transport, Capability>> = { ssh: 'ssh', 'out-of-band': 'out-of-band-exec' };

/** What a case's seed fields, boots and transport ask of the platform: a cell on a platform without it is skipped with the reason. */
function impliedCapabilities(seed: CaseSeed, boots: CaseBoots, transport: Transport | undefined): Capability[] {
  return [
    ...(transport === undefined ? [] : [TRANSPORT_CAPABILITY[transport]]),
    ...(seed.vendorData === undefined ? [] : ['vendor-data' as const]),
    ...(seed.metaData === undefined ? [] : ['meta-data' as const]),
    ...(seed.networkConfig === undefined ? [] : ['network-config' as const]),
    ...(boots.count > 1 && boots.rebootBy === 'harness' ? ['reboot' as const] : []),
  ];
}

type Fail = (message: string, path: string) => never;

function caseSeed(raw: CaseFile, doc: Document, fail: Fail): CaseSeed {
  const seed: { -readonly [K in keyof CaseSeed]: CaseSeed[K] } = {};
  if (raw.vendor_data !== undefined) seed.vendorData = userDataPart(raw.vendor_data, doc, 'vendor_data', { checked: true, fail });
  if (raw.meta_data !== undefined) seed.metaData = raw.meta_data;
  if (raw.network_config !== undefined) {
    const parsed = (typeof raw.network_config === 'string' ? parseDocument(raw.network_config, { version: '1.1' }).toJS() : raw.network_config) as { network?: { version?: unknown }; version?: unknown } | null;
    const declared = parsed?.network?.version ?? parsed?.version;
    if (declared !== 1 && declared !== 2) fail('network_config must say `version: 1` or `version: 2` (at its top or under `network:`)', '/network_config');
    seed.networkConfig = typeof raw.network_config === 'string' ? raw.network_config : yamlOfNode(doc.get('network_config', true));
  }
  return seed;
}

function caseBoots(raw: CaseFile, fail: Fail): CaseBoots {
  const count = raw.boots ?? 1;
  if (count === 1 && raw.reboot !== undefined) fail('reboot says how boots after the first begin: give boots: 2 or more with it', '/reboot');
  if (count === 1 && raw.before_reboot !== undefined) fail('before_reboot runs before a second boot: give boots: 2 or more with it', '/before_reboot');
  if (raw.reboot === 'instance' && raw.before_reboot !== undefined) {
    fail('before_reboot runs before the harness reboots the instance; with reboot: instance the instance reboots itself', '/before_reboot');
  }
  return { count, rebootBy: raw.reboot ?? 'harness', beforeReboot: raw.before_reboot };
}

function yamlOfNode(node: unknown): string {
  return new Document(node, { version: '1.1' }).toString({ lineWidth: 0 });
}

interface UserDataChecks {
  /** Whether the host refuses a part in no format cloud-init knows, or cloud-config that is not YAML. */
  readonly checked: boolean;
  readonly fail: Fail;
}

function renderUserData(raw: CaseFile, doc: Document, checks: UserDataChecks): string {
  if (typeof raw.cloud_config === 'string') return userDataPart(`#cloud-config\n${raw.cloud_config}`, doc, 'cloud_config', checks);
  if (raw.cloud_config !== undefined) return userDataPart(raw.cloud_config, doc, 'cloud_config', checks);
  return userDataPart(raw.user_data as string, doc, 'user_data', checks);
}

/**
 * A user-data or vendor-data part as the instance gets it: text as written (in any format
 * cloud-init reads), or a mapping as cloud-config, written back from its YAML node so that
 * `0644` stays `0644`, not `420`.
 */
function userDataPart(value: string | Record<string, unknown>, doc: Document, field: string, checks: UserDataChecks): string {
  if (typeof value !== 'string') return `#cloud-config\n${yamlOfNode(doc.get(field, true))}`;
  const problem = checks.checked ? checkUserData(value) : undefined;
  if (problem) checks.fail(`${field} ${problem}`, `/${field}`);
  return value;
}

async function findCaseFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name) && !entry.name.startsWith('.'))
    .map((entry) => join(entry.parentPath, entry.name))
    // expectations/ holds expectations files (testcases/expectations.ts), not cases.
    .filter((path) => !relative(root, path).split('/').some((part) => part === 'node_modules' || part === 'expectations'))
    .sort();
}

function findChecksFile(caseFile: string): string | undefined {
  const stem = caseFile.replace(/\.ya?ml$/, '');
  return CHECKS_SUFFIXES.map((suffix) => stem + suffix).find((path) => existsSync(path));
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/**
 * With oneOf and anyOf, ajv reports every branch's failure; the user wants the concrete
 * field. The deepest one is the most concrete (an unknown field counts one deeper, being
 * about its property); at equal depth a branch's type mismatch ("must be string" where
 * the object form was meant) says least. A top-level `required` is oneOf's branch.
 */
export function mostUsefulError(errors: readonly ErrorObject[]): ErrorObject {
  const depth = (error: ErrorObject): number =>
    pointerSegments(error.instancePath).length * 2 + (error.keyword === 'additionalProperties' ? 2 : 0) + (error.keyword === 'type' ? 0 : 1);
  const concrete = errors.filter((error) => !['oneOf', 'anyOf'].includes(error.keyword) && !(error.keyword === 'required' && error.instancePath === ''));
  const deepest = concrete.reduce<ErrorObject | undefined>((best, error) => (best === undefined || depth(error) > depth(best) ? error : best), undefined);
  return deepest ?? errors.find((error) => error.keyword === 'oneOf') ?? (errors[0] as ErrorObject);
}

/** The hint for a field that was replaced by another, when the error is about one. */
export function schemaErrorHint(error: ErrorObject): string | undefined {
  return error.keyword === 'additionalProperties' ? REPLACED_FIELDS[(error.params as { additionalProperty: string }).additionalProperty] : undefined;
}

/** A JSON pointer as a person writes the field: `cases.foo.images["debian/*"].skip`, `expect.log_warnings[0]`. */
export function fieldName(pointer: string): string {
  const name = pointerSegments(pointer)
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : /^[A-Za-z_][\w-]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`))
    .join('');
  return name.replace(/^\./, '') || '(top level)';
}

function pointerSegments(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function describeSchemaError(error: ErrorObject): string {
  const field = fieldName(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"${field === '(top level)' ? '' : ` in ${field}`}`;
    case 'required':
      return `missing field "${(error.params as { missingProperty: string }).missingProperty}"${field === '(top level)' ? '' : ` in ${field}`}`;
    case 'oneOf':
      return 'give exactly one of "user_data" or "cloud_config"';
    case 'enum':
      return `${field} must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field} ${error.message ?? 'is not valid'}`;
  }
}

export function lineOf(doc: Document, lineCounter: LineCounter, instancePath: string): number | undefined {
  const segments = pointerSegments(instancePath);
  for (let length = segments.length; length >= 0; length--) {
    const node = doc.getIn(segments.slice(0, length), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
