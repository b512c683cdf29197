import { posix } from 'node:path';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { HarnessError } from '../../core/errors.js';
import type { PushOptions } from '../types.js';
import { untilAborted } from './stop.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, which OpenSSH speaks). */
const NO_SUCH_FILE = 2;
const READ_CHUNK_BYTES = 256 * 1024;

type SftpError = Error & { code?: number };

/**
 * Replaces the file (or creates it; never its directory), then sets its owner and mode,
 * root:root 0644 unless told: a new file gets sftp-server's umask, a truncated one keeps
 * its old owner and mode.
 */
export async function writeFile(client: Client, path: string, bytes: Buffer, options: PushOptions, stop: AbortSignal, what: string): Promise<void> {
  await withSftp(client, stop, what, async (sftp) => {
    const step = <T>(work: (done: (error: SftpError | undefined | null, value?: T) => void) => void): Promise<T> => untilAborted(promised(work), stop);
    const failed = (error: unknown): HarnessError => {
      const code = (error as SftpError).code;
      if (code === NO_SUCH_FILE) {
        return new HarnessError('PLATFORM_API', `cannot write ${path} on ${what}: its directory does not exist`, {
          hint: `create it first (mkdir -p ${posix.dirname(path)})`,
          cause: error,
        });
      }
      return new HarnessError('PLATFORM_API', `cannot write ${path} on ${what} over SFTP: ${(error as Error).message}`, {
        hint: 'check that the path is a file the SSH user may write and that the guest has free space (df -h)',
        cause: error,
      });
    };
    let handle: Buffer;
    try {
      handle = await step<Buffer>((done) => sftp.open(path, 'w', done));
    } catch (error) {
      throw stop.aborted ? error : failed(error);
    }
    try {
      if (bytes.length > 0) await step((done) => sftp.write(handle, bytes, 0, bytes.length, 0, done));
      // chown first: it clears setuid and setgid bits that chmod sets.
      await step((done) => sftp.fchown(handle, options.uid ?? 0, options.gid ?? 0, done));
      await step((done) => sftp.fchmod(handle, (options.mode ?? 0o644) & 0o7777, done));
      // Closing flushes: a full disk may only show here.
      await step((done) => sftp.close(handle, done));
    } catch (error) {
      throw stop.aborted ? error : failed(error);
    }
  });
}

/** A file's bytes, following symlinks; undefined when nothing is at `path`. */
export async function readFile(client: Client, path: string, stop: AbortSignal, what: string): Promise<Buffer | undefined> {
  return withSftp(client, stop, what, async (sftp) => {
    const step = <T>(work: (done: (error: SftpError | undefined | null, value?: T) => void) => void): Promise<T> => untilAborted(promised(work), stop);
    const failed = (error: unknown): HarnessError =>
      new HarnessError('PLATFORM_API', `cannot read ${path} on ${what} over SFTP: ${(error as Error).message}`, {
        hint: 'check that the SSH user may read it',
        cause: error,
      });
    try {
      // stat, not lstat: a symlink is read through. A directory opens fine but reads as an error.
      const stats = await step<Stats>((done) => sftp.stat(path, done));
      if (stats.isDirectory()) {
        throw new HarnessError('PLATFORM_API', `cannot pull ${path} from ${what}: it is a directory`, {
          hint: 'pull the files in it one by one, or exec `tar -c` on it and read its stdout',
        });
      }
      const handle = await step<Buffer>((done) => sftp.open(path, 'r', done));
      const chunks: Buffer[] = [];
      for (let position = 0; ; ) {
        const read = await step<number>((done) => sftp.read(handle, Buffer.alloc(READ_CHUNK_BYTES), 0, READ_CHUNK_BYTES, position, (error, bytesRead, buffer) => {
          if (!error) chunks.push(buffer.subarray(0, bytesRead));
          done(error, bytesRead);
        }));
        if (read === 0) break;
        position += read;
      }
      await step((done) => sftp.close(handle, done));
      return Buffer.concat(chunks);
    } catch (error) {
      if (stop.aborted || error instanceof HarnessError) throw error;
      if ((error as SftpError).code === NO_SUCH_FILE) return undefined;
      throw failed(error);
    }
  });
}

/** One SFTP session a call, ended whatever happens: a handle left open dies with it. */
async function withSftp<T>(client: Client, stop: AbortSignal, what: string, work: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
  const opening = promised<SFTPWrapper>((done) => client.sftp(done));
  // A session that opens after its caller gave up is ended at once.
  opening.then((late) => stop.aborted && late.end(), () => undefined);
  let sftp: SFTPWrapper;
  try {
    sftp = await untilAborted(opening, stop);
  } catch (error) {
    if (stop.aborted) throw error;
    throw new HarnessError('PLATFORM_API', `cannot start an SFTP session on ${what}: ${(error as Error).message}`, {
      hint: "the guest's sshd needs an sftp subsystem (`Subsystem sftp` in sshd_config)",
      cause: error,
    });
  }
  try {
    return await work(sftp);
  } finally {
    sftp.end();
  }
}

function promised<T>(work: (done: (error: SftpError | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    work((error, value) => (error ? reject(error) : resolve(value as T)));
  });
}
