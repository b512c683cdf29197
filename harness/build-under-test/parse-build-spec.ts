import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { AptSourceLine, BuildSource } from './build-source.js';

/**
 * `--build` as the user typed it → a BuildSource. Only the syntax is checked here; whether
 * the files exist and are what they claim is inspect-build.ts's business. Paths are
 * resolved against `cwd` now, so that later steps never depend on the process's cwd.
 */

const FORMS = 'none, deb:<file.deb>[,<dep.deb>...], source:<dir>, repo:<apt source line>';
const REPO_EXAMPLE = "repo:'deb http://host/debian bookworm main'";

export function parseBuildSpec(spec: string, cwd: string): BuildSource {
  if (spec === 'none') return { kind: 'none' };
  const colon = spec.indexOf(':');
  const prefix = colon < 0 ? '' : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  switch (prefix) {
    case 'deb': {
      const paths = rest.split(',').map((path) => path.trim());
      if (paths.some((path) => path === '')) {
        throw new UsageError(`--build ${spec}: a .deb path is empty`, 'give one or more paths separated by commas, e.g. deb:./cloud-init.deb,./python3-debconf.deb');
      }
      return { kind: 'deb', paths: paths.map((path) => resolve(cwd, path)) };
    }
    case 'source':
      if (rest.trim() === '') throw new UsageError(`--build ${spec}: no source folder given`, 'e.g. source:../cloud-init');
      return { kind: 'source', dir: resolve(cwd, rest.trim()) };
    case 'repo':
      return { kind: 'repo', line: parseAptSourceLine(rest) };
    default:
      throw new UsageError(`--build "${spec}" is not a build source`, `use one of: ${FORMS}`);
  }
}

/** sources.list(5), one-line style: `deb [option=value ...] uri suite [component ...]`. */
export function parseAptSourceLine(text: string): AptSourceLine {
  const line = text.trim();
  const fail = (why: string): never => {
    throw new UsageError(`--build repo: "${line}" is not an apt source line: ${why}`, `e.g. ${REPO_EXAMPLE}`);
  };
  const match = /^(\S+)\s*(\[[^\]]*\])?\s*(.*)$/.exec(line);
  if (match === null || match[1] !== 'deb') {
    fail(match?.[1] === 'deb-src' ? 'a deb-src line has no binary packages to install' : 'it must start with "deb"');
  }
  const [uri, suite, ...components] = (match?.[3] ?? '').split(/\s+/).filter(Boolean);
  if (uri === undefined) return fail('no URI');
  if (!/^[a-z][a-z0-9+.-]*:\S+$/.test(uri) || !URL.canParse(uri)) fail(`"${uri}" is not a URI`);
  if (suite === undefined) return fail('no suite');
  // A suite ending in "/" is an exact path (a flat repository), which takes no components.
  if (suite.endsWith('/') && components.length > 0) fail(`the exact path "${suite}" takes no components`);
  if (!suite.endsWith('/') && components.length === 0) fail(`suite "${suite}" needs at least one component, e.g. main`);
  return { text: line, uri, suite, components };
}
