import { SYSTEMD_FIGURES, type Missing, type SystemdFigure, type SystemdTimes } from '../../results-schema/boot-times.js';

const TIME_SECTION = 'systemd-analyze time';
const BLAME_SECTION = 'systemd-analyze blame';

/** Why `systemd-analyze time` can succeed without a figure: what such a boot lacks. */
const ABSENT_BECAUSE: Readonly<Record<SystemdFigure, string>> = {
  firmware: 'systemd-analyze gives none: no boot loader passed firmware times (only EFI loaders implementing the Boot Loader Interface do; a container or a qemu -kernel boot has none)',
  loader: 'systemd-analyze gives none: no boot loader passed its times (only EFI loaders implementing the Boot Loader Interface do; a container or a qemu -kernel boot has none)',
  kernel: "systemd-analyze gives none: systemd did not start as the first process of a kernel it booted (a container shares the host's kernel)",
  initrd: 'systemd-analyze gives none: the boot had no initrd (or ran in a container)',
  userspace: 'systemd-analyze time printed no userspace figure',
  total: "systemd-analyze gives no total when it has only one figure (a container's userspace)",
};

/** A boot with no systemd figures at all, and why. */
export function unmeasuredSystemd(reason: string): SystemdTimes {
  return { figures: {}, missing: SYSTEMD_FIGURES.map((name) => ({ name, reason })), target: undefined, blame: [], blameMissing: reason };
}

/** Reads what collectors/systemd-times.sh printed: each section's output and exit code. */
export function parseSystemdTimes(output: string): SystemdTimes {
  const sections = splitSections(output);
  return { ...timeFigures(sections.get(TIME_SECTION)), ...blameOf(sections.get(BLAME_SECTION)) };
}

interface Section {
  readonly lines: readonly string[];
  readonly exitCode: number | undefined;
}

function splitSections(output: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let name: string | undefined;
  let lines: string[] = [];
  for (const line of output.split('\n')) {
    const heading = /^== (systemd-analyze \w+)$/.exec(line);
    const rc = /^== rc (\d+)$/.exec(line);
    if (heading) {
      name = heading[1]!;
      lines = [];
    } else if (rc && name !== undefined) {
      sections.set(name, { lines, exitCode: Number(rc[1]) });
      name = undefined;
    } else if (name !== undefined) {
      lines.push(line);
    }
  }
  // A section cut off before its exit code (the collector was killed) still says what it printed.
  if (name !== undefined) sections.set(name, { lines, exitCode: undefined });
  return sections;
}

function failureOf(what: string, section: Section | undefined): string | undefined {
  if (section === undefined) return `${what} did not run`;
  if (section.exitCode === 0) return undefined;
  const said = section.lines.map((line) => line.trim()).find(Boolean) ?? 'no output';
  return `${what} ${section.exitCode === undefined ? 'was cut off' : `failed (exit ${section.exitCode})`}: ${said}`;
}

function timeFigures(section: Section | undefined): Pick<SystemdTimes, 'figures' | 'missing' | 'target'> {
  const failure = failureOf(TIME_SECTION, section);
  if (failure !== undefined) return { figures: {}, missing: SYSTEMD_FIGURES.map((name) => ({ name, reason: failure })), target: undefined };
  const text = (section?.lines ?? []).join('\n');
  const printed = new Map<SystemdFigure, string>();
  const startup = /Startup finished in (.*)/.exec(text)?.[1] ?? '';
  for (const match of startup.matchAll(/([^+=()]+?)\s*\((firmware|loader|kernel|initrd|userspace)\)/g)) printed.set(match[2] as SystemdFigure, match[1]!);
  const total = /=\s*(.+?)\s*$/.exec(startup)?.[1];
  if (total !== undefined) printed.set('total', total);
  const figures: Partial<Record<SystemdFigure, number>> = {};
  const missing: Missing<SystemdFigure>[] = [];
  for (const name of SYSTEMD_FIGURES) {
    const span = printed.get(name);
    const ms = span === undefined ? undefined : timespanMs(span);
    if (ms !== undefined) figures[name] = ms;
    else missing.push({ name, reason: span === undefined ? ABSENT_BECAUSE[name] : `systemd-analyze printed "${span.trim()}", which is not a timespan` });
  }
  const reached = /^(\S+) reached after (.+?) in userspace/m.exec(text);
  const targetMs = reached ? timespanMs(reached[2]!) : undefined;
  return { figures, missing, target: reached && targetMs !== undefined ? { unit: reached[1]!, ms: targetMs } : undefined };
}

function blameOf(section: Section | undefined): Pick<SystemdTimes, 'blame' | 'blameMissing'> {
  const failure = failureOf(BLAME_SECTION, section);
  if (failure !== undefined) return { blame: [], blameMissing: failure };
  const blame = (section?.lines ?? []).flatMap((line) => {
    const match = /^\s*(.+?)\s+(\S+)\s*$/.exec(line);
    const ms = match ? timespanMs(match[1]!) : undefined;
    return match && ms !== undefined ? [{ unit: match[2]!, ms }] : [];
  });
  return { blame, blameMissing: blame.length === 0 ? 'systemd-analyze blame listed no unit' : undefined };
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** systemd's own timespan format (`1min 2.345s`, `963ms`) in milliseconds; undefined for anything else. */
export function timespanMs(text: string): number | undefined {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)\s*(min|ms|us|µs|s|h|d)(?![a-z])/g)];
  const consumed = parts.map((part) => part[0]).join('');
  if (parts.length === 0 || consumed.replace(/\s/g, '') !== text.replace(/\s/g, '')) return undefined;
  return Math.round(parts.reduce((sum, part) => sum + Number(part[1]) * UNIT_MS[part[2]!]!, 0) * 1000) / 1000;
}
