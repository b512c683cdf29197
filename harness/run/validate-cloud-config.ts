import { imageSchemaPath } from '../../images/build-image.js';
import type { TestCase } from '../../testcases/case.js';
import { cloudConfigValidator, isPlainCloudConfig, type CloudConfigValidator } from '../../testcases/cloud-config-schema.js';
import { cellExpectations, type ExpectationsFile } from '../../testcases/expectations.js';
import { HarnessError } from '../../core/errors.js';
import type { CellImage } from '../../results-schema/cell-record.js';
import type { ResolvedBuild } from '../build-under-test/build-source.js';
import { buildSchema } from '../build-under-test/build-schema.js';

/**
 * Validates every case's cloud-config against the schema of the cloud-init each cell will
 * run, before anything is launched: a typo in a key is a one-line error naming the file
 * and the key, not a boot that quietly ignores it. That is each image's cloud-init, or
 * with --build the one being installed (a build may add a key the image's refuses, or
 * drop one). Returns notes for images whose schema is unknown (not built here, a
 * cloud-init older than 22.2 that ships none, a repository build).
 */
export async function validateCloudConfigs(
  cases: readonly TestCase[],
  images: readonly CellImage[],
  build: ResolvedBuild,
  expectationFiles: readonly ExpectationsFile[],
  imageCacheDir: string,
  platform: string,
): Promise<string[]> {
  const schema = await buildSchema(build);
  if (schema.kind === 'unknown') return [`no cloud-config schema known for the build: ${schema.why}; cases' cloud-config is checked in the instance only (cloud-init schema --system)`];
  try {
    const notes: string[] = [];
    for (const image of images) {
      const schemaPath = schema.kind === 'build' ? schema.schemaPath : imageSchemaPath(imageCacheDir, image.fingerprint);
      if (schemaPath === undefined) {
        notes.push(`no cloud-config schema known for ${image.ref}: cases' cloud-config is checked in the instance only (cloud-init schema --system)`);
        continue;
      }
      const version = schema.kind === 'build' ? schema.version : image.cloudInitVersion;
      const where = schema.kind === 'build' ? `the build under test (${image.ref})` : image.ref;
      checkCases(cases, await cloudConfigValidator(schemaPath), { image, version, where, expectationFiles, platform });
    }
    return notes;
  } finally {
    if (schema.kind === 'build') await schema.dispose();
  }
}

interface Target {
  readonly image: CellImage;
  /** The cloud-init whose schema it is, and what a person calls where it runs. */
  readonly version: string | undefined;
  readonly where: string;
  readonly expectationFiles: readonly ExpectationsFile[];
  readonly platform: string;
}

function checkCases(cases: readonly TestCase[], validate: CloudConfigValidator, target: Target): void {
  for (const testCase of cases) {
    if (!isPlainCloudConfig(testCase.userData)) continue;
    // The cell's expectations are the build's: a version-bounded overlay sees the version under test.
    if (!cellExpectations(testCase, { image: target.image.ref, platform: target.platform, cloudInit: target.version }, target.expectationFiles).expect.schemaValid) continue;
    const problems = validate(testCase.userData);
    if (problems.length > 0) {
      throw new HarnessError('INVALID_USER_DATA', `${testCase.file}: cloud-config does not match the schema of cloud-init ${target.version ?? ''} in ${target.where}: ${problems.join('; ')}`, {
        hint: 'fix the key, or set expect.schema_valid: false if the case is about invalid config',
      });
    }
  }
}
