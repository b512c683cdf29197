import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chown, link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { c as tarCreate } from 'tar';
import { extractHarvest } from './extract.js';

/** The harvest comes from inside the instance: only its plain files and folders reach the host. */
describe('harvest extraction', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudproof-extract-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const archiveOf = async (cwd: string, entries: string[], preservePaths = false, portable = true): Promise<Buffer> =>
    buffer(tarCreate({ cwd, portable, preservePaths }, entries) as unknown as NodeJS.ReadableStream);

  it('takes plain files and folders, and no link of either kind', async () => {
    const source = join(dir, 'source');
    await mkdir(join(source, 'files', 'etc'), { recursive: true });
    await writeFile(join(source, 'files', 'etc', 'motd'), 'hi\n');
    await symlink('/etc/passwd', join(source, 'files', 'etc', 'soft'));
    await mkdir(join(source, 'a'));
    await writeFile(join(source, 'a', 'original'), 'linked\n');
    // Archived after its target, the second name of a file is a hard link entry.
    await link(join(source, 'a', 'original'), join(source, 'files', 'etc', 'hard'));
    const archive = await archiveOf(source, ['a', 'files']);
    const cell = join(dir, 'nested', 'cell');
    await extractHarvest(archive, cell);
    assert.equal(await readFile(join(cell, 'files', 'etc', 'motd'), 'utf8'), 'hi\n');
    assert.equal(await readFile(join(cell, 'a', 'original'), 'utf8'), 'linked\n');
    assert.equal(existsSync(join(cell, 'files', 'etc', 'soft')), false, 'a symlink');
    assert.equal(existsSync(join(cell, 'files', 'etc', 'hard')), false, 'a hard link');
  });

  it('writes nothing outside the cell folder', async () => {
    const inner = join(dir, 'source', 'inner');
    await mkdir(inner, { recursive: true });
    await writeFile(join(dir, 'source', 'escape.txt'), 'out\n');
    const archive = await archiveOf(inner, ['../escape.txt'], true);
    const cell = join(dir, 'a', 'cell');
    await extractHarvest(archive, cell).catch(() => undefined);
    assert.equal(existsSync(join(dir, 'a', 'escape.txt')), false);
  });

  it('takes the plain-file entries of old and contiguous-file type too', async () => {
    const source = join(dir, 'source');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'old'), 'old\n');
    await writeFile(join(source, 'contiguous'), 'contiguous\n');
    const archive = await archiveOf(source, ['old', 'contiguous']);
    // The first header is the first entry's; the second follows its one block of data.
    retype(archive, 0, '\0');
    retype(archive, 1024, '7');
    await extractHarvest(archive, join(dir, 'cell'));
    assert.equal(await readFile(join(dir, 'cell', 'old'), 'utf8'), 'old\n');
    assert.equal(await readFile(join(dir, 'cell', 'contiguous'), 'utf8'), 'contiguous\n');
  });

  it('refuses an archive with a damaged entry rather than leaving the entry out', async () => {
    const source = join(dir, 'source');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'a'), 'a\n');
    await writeFile(join(source, 'b'), 'b\n');
    const archive = await archiveOf(source, ['a', 'b']);
    archive[1024 + 148] = '9'.charCodeAt(0);
    await assert.rejects(extractHarvest(archive, join(dir, 'cell')));
  });

  it("gives the files the harness's own owner, not the instance's", async () => {
    const source = join(dir, 'source');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'owned'), 'x\n');
    await chown(join(source, 'owned'), 4242, 4242);
    await extractHarvest(await archiveOf(source, ['owned'], false, false), join(dir, 'cell'));
    assert.equal((await stat(join(dir, 'cell', 'owned'))).uid, process.getuid?.());
  });

  it('refuses a stream that is not a tar archive', async () => {
    await assert.rejects(extractHarvest(Buffer.from('this is not a tar archive, only text that came out of the instance\n'.repeat(20)), join(dir, 'cell')));
  });
});

/** Sets the type flag of the tar header at `offset` and writes its checksum again. */
function retype(archive: Buffer, offset: number, flag: string): void {
  archive.write(flag, offset + 156, 'latin1');
  archive.fill(' ', offset + 148, offset + 156);
  let sum = 0;
  for (let index = offset; index < offset + 512; index += 1) sum += archive[index]!;
  archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
}
