import { join } from 'node:path';
import { readConfig } from '../harness/config.js';
import qemu from '../platforms/qemu/index.js';
import type { Platform, PlatformOptions } from '../platforms/types.js';

/** The qemu driver's options as the CLI makes them: its images live in its state folder, which setup filled. */
export function qemuOptionsForTests(): PlatformOptions {
  return { env: process.env, settings: {}, stateDir: join(readConfig(process.env, false).cacheDir, 'platforms', 'qemu') };
}

/** The real qemu driver as the CLI would make it, for end-to-end tests that look at the platform directly. */
export function qemuForTests(): Platform {
  return qemu.create(qemuOptionsForTests());
}
