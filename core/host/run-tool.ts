import { execa, type ExecaError } from 'execa';
import { AbortedError, HarnessError, type ErrorCode } from '../errors.js';

/**
 * Runs a host tool (mmdebstrap and dpkg-query for an image build, qemu-img and
 * genisoimage for a VM) and turns its failures into HarnessErrors that say which tool,
 * why, and what to install.
 */

export interface RunToolOptions {
  /** Receives each line of the tool's output as it comes; without it output is only kept. */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** What to do when the tool is missing, e.g. `apt-get install mmdebstrap`. */
  readonly installHint: string;
  /** The code of the error a failure becomes: IMAGE_BUILD unless said (a VM's launch says PLATFORM_API). */
  readonly errorCode?: ErrorCode;
}

/**
 * mmdebstrap unmounts /proc, /sys and /dev from the tree when it gets SIGTERM; a SIGKILL
 * before it is done would leave them mounted under the work dir.
 */
const GRACE_BEFORE_KILL_MS = 30_000;

const TAIL_LINES = 3;

/** Returns the tool's stdout. */
export async function runTool(
  file: string,
  args: readonly string[],
  options: RunToolOptions,
): Promise<string> {
  const subprocess = execa(file, args, {
    stdin: 'ignore',
    all: true,
    cancelSignal: options.signal,
    forceKillAfterDelay: GRACE_BEFORE_KILL_MS,
    stripFinalNewline: false,
  });
  const { log } = options;
  const forwarded = log ? forwardLines(subprocess.iterable({ from: 'all' }), log) : undefined;
  try {
    const [result] = await Promise.all([subprocess, forwarded]);
    return result.stdout;
  } catch (error) {
    throw toolError(file, error as ExecaError, options);
  }
}

async function forwardLines(lines: AsyncIterable<string>, log: (line: string) => void): Promise<void> {
  for await (const line of lines) log(line);
}

function toolError(file: string, error: ExecaError, options: RunToolOptions): HarnessError {
  if (error.isCanceled || options.signal?.aborted) return new AbortedError(file);
  if (error.code === 'ENOENT') {
    return new HarnessError(options.errorCode ?? 'IMAGE_BUILD', `${file} is not installed`, {
      hint: options.installHint,
      cause: error,
    });
  }
  const output = typeof error.all === 'string' ? error.all : '';
  const tail = output.split('\n').filter((line) => line.trim() !== '').slice(-TAIL_LINES);
  const status = error.exitCode === undefined ? (error.signal ?? 'failed') : `exit ${error.exitCode}`;
  return new HarnessError(options.errorCode ?? 'IMAGE_BUILD', `${file} failed (${status}): ${tail.join(' / ')}`, {
    cause: error,
  });
}
