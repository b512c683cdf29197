import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built-in case library: this folder. */
export const DEFAULT_TESTCASES_DIR = dirname(fileURLToPath(import.meta.url));

/** Our facts about the images we build; vendors add theirs with --expectations. */
export const DEFAULT_EXPECTATIONS_FILE = join(DEFAULT_TESTCASES_DIR, 'expectations', 'images.yaml');

/** The image-proofing suite `harness proof` runs. */
export const PROOF_TESTCASES_DIR = join(DEFAULT_TESTCASES_DIR, 'proof');
