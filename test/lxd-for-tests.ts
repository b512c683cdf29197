import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lxd from '../platforms/lxd/index.js';
import type { Platform } from '../platforms/types.js';

/** The real LXD driver as the CLI would make it, for end-to-end tests that look at the platform directly. */
export function lxdForTests(): Platform {
  return lxd.create({ env: process.env, settings: {}, stateDir: join(tmpdir(), 'cloudproof-e2e-lxd-state') });
}
