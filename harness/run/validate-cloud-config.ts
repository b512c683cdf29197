import { join } from 'node:path';
import { imageSchemaPath } from '../../images/build-image.js';
import type { TestCase } from '../../testcases/case.js';
import { cloudConfigValidator, isPlainCloudConfig } from '../../testcases/cloud-config-schema.js';
import { cellExpectations, type ExpectationsFile } from '../../testcases/expectations.js';
import { HarnessError } from '../../core/errors.js';
import type { CellImage } from '../../results-schema/cell-record.js';

/**
 * Validates every case's cloud-config against the schema of the cloud-init each image
 * carries, before anything is launched: a typo in a key is a one-line error naming the
 * file and the key, not a boot that quietly ignores it. Returns notes for images whose
 * schema is unknown (not built here, or a cloud-init older than 22.2 that ships none).
 */
export async function validateCloudConfigs(
  cases: readonly TestCase[],
  images: readonly CellImage[],
  expectationFiles: readonly ExpectationsFile[],
  imageCacheDir: string,
  platform: string,
): Promise<string[]> {
  const notes: string[] = [];
  for (const image of images) {
    const schemaPath = imageSchemaPath(imageCacheDir, image.fingerprint);
    if (schemaPath === undefined) {
      notes.push(`no cloud-config schema known for ${image.ref}: cases' cloud-config is checked in the instance only (cloud-init schema --system)`);
      continue;
    }
    const validate = await cloudConfigValidator(schemaPath);
    for (const testCase of cases) {
      if (!isPlainCloudConfig(testCase.userData)) continue;
      if (!cellExpectations(testCase, { image: image.ref, platform, cloudInit: image.cloudInitVersion }, expectationFiles).expect.schemaValid) continue;
      const problems = validate(testCase.userData);
      if (problems.length > 0) {
        throw new HarnessError('INVALID_USER_DATA', `${testCase.file}: cloud-config does not match the schema of cloud-init ${image.cloudInitVersion ?? ''} in ${image.ref}: ${problems.join('; ')}`, {
          hint: 'fix the key, or set expect.schema_valid: false if the case is about invalid config',
        });
      }
    }
  }
  return notes;
}
