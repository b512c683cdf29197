import { shellQuote } from '../../core/host/shell-quote.js';

/**
 * One shell script that runs every collector of a case inside the instance and prints a
 * tar stream of the results: a single exec per harvest instead of one per collector,
 * and binary-safe because the stream is the only thing on stdout.
 */
export interface BundleSpec {
  /** name → script text */
  readonly scripts: ReadonlyMap<string, string>;
  /** name → shell command */
  readonly commands: Readonly<Record<string, string>>;
  readonly files: readonly string[];
}

const WORK_DIR = '/run/cloudproof-harvest';

export function harvestScript(spec: BundleSpec): string {
  const lines = [
    'set -u',
    `out=${WORK_DIR}`,
    'rm -rf "$out" && mkdir -p "$out/collectors" "$out/files" || exit 97',
    'collect() { name=$1; shift; "$@" >"$out/collectors/$name.out" 2>"$out/collectors/$name.err" </dev/null; echo $? >"$out/collectors/$name.rc"; }',
  ];
  // The case's own evidence first: collector scripts such as `cloud-init schema --system`
  // run user-data handlers again (boothooks, part-handlers) and write to cloud-init.log.
  for (const [name, command] of Object.entries(spec.commands)) {
    lines.push(`collect ${name} sh -c ${shellQuote(command)}`);
  }
  for (const file of spec.files) {
    // -L: the archive holds the content a link points at, never a link the host would follow.
    lines.push(`[ -e ${shellQuote(file)} ] && mkdir -p "$out/files"${shellQuote(parentOf(file))} && cp -L --preserve=mode ${shellQuote(file)} "$out/files"${shellQuote(file)}`);
  }
  for (const [name, script] of spec.scripts) {
    lines.push(`collect ${name} sh -c ${shellQuote(script)}`);
  }
  lines.push('tar -C "$out" -cf - collectors files', 'status=$?', 'rm -rf "$out"', 'exit $status');
  return `${lines.join('\n')}\n`;
}


function parentOf(path: string): string {
  const parent = path.replace(/\/[^/]*$/, '');
  return parent === '' ? '/' : parent;
}
