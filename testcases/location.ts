import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built-in case library: this folder. */
export const DEFAULT_TESTCASES_DIR = dirname(fileURLToPath(import.meta.url));
