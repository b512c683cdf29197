import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/**
 * A real cloud-init build that can be told apart from the image's from inside an instance:
 * Debian's own package for this release, with a marker added to its version and to a file
 * it installs. Shared by test/build.e2e.test.ts and bench/prepare.ts, and read by the
 * fixture case test/fixtures/build-marker/.
 */
export const MARKER_SUFFIX = '+cloudproof1';
export const MARKER_LINE = '# cloudproof-marker';
/** Where cloud-init's packagers put the version it reports (`cloud-init --version`, "Cloud-init v." in its log). */
export const MARKED_FILE = '/usr/lib/python3/dist-packages/cloudinit/version.py';
/**
 * Holds the caller's build id, so that each caller's .deb has bytes of its own and so a
 * prepared image of its own: a test that removes its image never pulls one from under a
 * bench (or another test run) using the same marker.
 */
export const BUILD_ID_FILE = '/usr/share/cloudproof/build-id';

/** Fixed, so that the bytes depend only on the stock package and the build id. */
const SOURCE_DATE_EPOCH = '1764288000';

export interface MarkerDeb {
  readonly path: string;
  readonly version: string;
  readonly stockVersion: string;
}

/** A config module made slower on purpose: its handle() sleeps first, for the boot-time comparisons. */
export interface SlowedModule {
  /** The module's file name without .py, e.g. cc_final_message. */
  readonly module: string;
  readonly seconds: number;
}

export async function makeMarkerDeb(workDir: string, buildId: string, options: { readonly slowed?: SlowedModule } = {}): Promise<MarkerDeb> {
  await mkdir(workDir, { recursive: true });
  const stock = await downloadCloudInit(workDir);
  const stockVersion = (await execa('dpkg-deb', ['--field', stock, 'Version'])).stdout.trim();
  const version = `${stockVersion}${MARKER_SUFFIX}`;
  const tree = join(workDir, 'tree');
  await rm(tree, { recursive: true, force: true });
  await execa('dpkg-deb', ['-R', stock, tree]);

  const control = join(tree, 'DEBIAN', 'control');
  await writeFile(control, (await readFile(control, 'utf8')).replace(/^Version: .*$/m, `Version: ${version}`));
  await rewrite(tree, MARKED_FILE, (source) => {
    if (!/^_PACKAGED_VERSION = .*$/m.test(source)) throw new Error(`${MARKED_FILE} in ${stock} has no _PACKAGED_VERSION line to mark`);
    return `${source.replace(/^_PACKAGED_VERSION = .*$/m, `_PACKAGED_VERSION = "${version}"`)}${MARKER_LINE}\n`;
  });
  const { slowed } = options;
  if (slowed !== undefined) {
    const file = `${dirname(MARKED_FILE)}/config/${slowed.module}.py`;
    await rewrite(tree, file, (source) => {
      // The first statement of handle(), whatever its signature (one line in 22.4, typed in 25.1).
      const handle = /^def handle\([^)]*\)[^:\n]*:[^\n]*\n/m.exec(source);
      if (handle === null) throw new Error(`${file} in ${stock} has no handle() to slow`);
      const end = handle.index + handle[0].length;
      return `${source.slice(0, end)}    __import__("time").sleep(${slowed.seconds})  ${MARKER_LINE}\n${source.slice(end)}`;
    });
  }
  const md5sums = join(tree, 'DEBIAN', 'md5sums');
  await mkdir(join(tree, 'usr', 'share', 'cloudproof'), { recursive: true });
  await writeFile(join(tree, BUILD_ID_FILE.slice(1)), `${buildId}\n`);
  await appendFile(md5sums, `${createHash('md5').update(`${buildId}\n`).digest('hex')}  ${BUILD_ID_FILE.slice(1)}\n`);

  const path = join(workDir, `cloud-init_${version.replace(/^\d+:/, '')}_all.deb`);
  await execa('dpkg-deb', ['--root-owner-group', '-b', tree, path], { env: { SOURCE_DATE_EPOCH } });
  await rm(tree, { recursive: true, force: true });
  return { path, version, stockVersion };
}

/** Changes a file the package installs, keeping md5sums true to it so that debsums in the instance does not flag the build. */
async function rewrite(tree: string, installedPath: string, change: (source: string) => string): Promise<void> {
  const relative = installedPath.slice(1);
  const path = join(tree, relative);
  await writeFile(path, change(await readFile(path, 'utf8')));
  const md5sums = join(tree, 'DEBIAN', 'md5sums');
  const md5 = createHash('md5').update(await readFile(path)).digest('hex');
  await writeFile(md5sums, (await readFile(md5sums, 'utf8')).replace(new RegExp(`^[0-9a-f]{32}  ${relative.replace(/[.]/g, '\\.')}$`, 'm'), `${md5}  ${relative}`));
}

/** Debian's archive is reachable from these machines; the lists may be missing on a fresh one. */
async function downloadCloudInit(dir: string): Promise<string> {
  const download = () => execa('apt-get', ['download', 'cloud-init'], { cwd: dir, reject: false, all: true });
  let result = await download();
  if (result.exitCode !== 0) {
    await execa('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    result = await download();
  }
  if (result.exitCode !== 0) throw new Error(`apt-get download cloud-init failed: ${result.all}`);
  const stock = (await readdir(dir)).find((name) => /^cloud-init_.*\.deb$/.test(name) && !name.includes(MARKER_SUFFIX));
  if (stock === undefined) throw new Error(`apt-get download cloud-init wrote no .deb in ${dir}`);
  return join(dir, stock);
}
