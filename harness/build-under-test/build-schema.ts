import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../../core/errors.js';
import { CLOUD_INIT_PACKAGE, type ResolvedBuild } from './build-source.js';

/**
 * Which cloud-config schema a run's cases must match: the one the cloud-init under test
 * validates with. With no build, or a build that brings no cloud-init of its own, that is
 * each image's; with a .deb (given, or built from a tree) it is the one inside the .deb,
 * read on the host before anything is launched; a repository's is known only once it is
 * installed, in the instance (the schema-system collector checks it there).
 */
export type BuildSchema =
  | { readonly kind: 'image' }
  | { readonly kind: 'build'; readonly version: string; readonly schemaPath: string; dispose(): Promise<void> }
  | { readonly kind: 'unknown'; readonly why: string };

/** Where cloud-init's packaging puts it, Debian's and upstream's bddeb alike, below the Python path. */
const SCHEMA_SUFFIX = join('cloudinit', 'config', 'schemas', 'schema-cloud-config-v1.json');

export async function buildSchema(build: ResolvedBuild): Promise<BuildSchema> {
  if (build.kind === 'none') return { kind: 'image' };
  if (build.kind === 'repo') return { kind: 'unknown', why: `the schema of the cloud-init from "${build.line.text}" is known only once it is installed` };
  const deb = build.debs.find((candidate) => candidate.package === CLOUD_INIT_PACKAGE);
  if (deb === undefined) return { kind: 'image' };
  const work = await mkdtemp(join(tmpdir(), 'cloudproof-build-schema-'));
  const dispose = (): Promise<void> => rm(work, { recursive: true, force: true });
  try {
    const extracted = await execa('dpkg-deb', ['-x', deb.path, work], { reject: false, stdin: 'ignore', all: true });
    if (extracted.exitCode !== 0) throw new HarnessError('IMAGE_BUILD', `cannot unpack ${deb.path} to read its cloud-config schema: ${extracted.all.trim().slice(-300)}`, { hint: `check it with: dpkg-deb --contents ${deb.path}` });
    const found = (await readdir(work, { recursive: true })).find((path) => path.endsWith(SCHEMA_SUFFIX));
    if (found === undefined) {
      await dispose();
      // cloud-init before 22.2 shipped none; its own `schema` command then has nothing to check either.
      return { kind: 'unknown', why: `${deb.package} ${deb.version} ships no ${SCHEMA_SUFFIX}` };
    }
    return { kind: 'build', version: deb.version, schemaPath: join(work, found), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
