import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { isHarnessError } from '../../../core/errors.js';
import type { SupportCell, SupportColumn } from '../../../platforms/conformance/index.js';
import type { DriverChoice } from '../../../platforms/registry.js';
import type { PlatformDriver } from '../../../platforms/types.js';
import type { CliContext } from '../context.js';
import { collect } from '../options.js';

interface MatrixRow {
  readonly name: string;
  readonly module?: string;
  readonly description?: string;
  /** YYYY-MM-DD of the driver's newest conformance result here; absent when it has none. */
  readonly newest?: string;
  readonly cells?: Readonly<Record<SupportColumn, SupportCell>>;
  /** Why the driver could not be loaded; then it has no cells. */
  readonly error?: string;
}

export function addPlatformsCommand(program: Command, context: CliContext): void {
  program
    .command('platforms')
    .description('the support matrix: what each driver declares, and what its newest conformance results on this machine say of it')
    .option('--platform-module <module>', 'add a driver from another package: its npm name or a path to it (repeatable)', collect, [] as string[])
    .option('--json', 'print the matrix as JSON', false)
    .action(async (flags) => {
      const { loadDriver, platformNames } = await import('../../../platforms/registry.js');
      const { newestPerDriver, readConformanceHistory, supportCell, SUPPORT_COLUMNS } = await import('../../../platforms/conformance/index.js');
      const choices: DriverChoice[] = [
        ...platformNames().map((platform) => ({ platform, module: undefined })),
        ...flags.platformModule.map((module) => ({ platform: module, module })),
      ];
      const rows: MatrixRow[] = [];
      for (const choice of choices) {
        let driver: PlatformDriver;
        try {
          driver = await loadDriver(choice);
        } catch (error) {
          if (!isHarnessError(error)) throw error;
          rows.push({ name: choice.platform, error: error.oneLine() });
          continue;
        }
        const history = await readConformanceHistory(context.config.cacheDir, driver.name);
        for (const problem of history.unreadable) context.err(`harness: skipped ${problem}`);
        const newest = newestPerDriver(history.results).get(driver.name);
        const cells = Object.fromEntries(SUPPORT_COLUMNS.map((column) => [column, supportCell(column, driver.capabilities, history.results)])) as Record<SupportColumn, SupportCell>;
        rows.push({
          name: driver.name,
          ...(choice.module === undefined ? {} : { module: choice.module }),
          description: driver.description,
          ...(newest === undefined ? {} : { newest: newest.finishedAt.slice(0, 10) }),
          cells,
        });
      }
      if (flags.json) {
        context.out(JSON.stringify({ resultsDir: join(context.config.cacheDir, 'conformance'), columns: SUPPORT_COLUMNS, platforms: rows }, null, 2));
        return;
      }
      for (const line of renderMatrix(rows, SUPPORT_COLUMNS)) context.out(line);
    });
}

const WIDTH = 120;
const STATE_WORD: Readonly<Record<SupportCell['state'], string>> = { yes: 'yes', failed: 'FAILED', unchecked: 'unchecked', 'not-declared': '-' };

type TwoLines = readonly [string, string];

/**
 * A plain table that fits 120 columns with ten capability columns: the header and each
 * row take two lines, a cell's date under its word, so that no column is wider than a date.
 */
function renderMatrix(rows: readonly MatrixRow[], columns: readonly SupportColumn[]): string[] {
  const table: (readonly TwoLines[])[] = [[['platform', '(newest)'], ...columns.map(splitWord)]];
  const unloadable: string[] = [];
  for (const row of rows) {
    const cells = row.cells;
    if (cells === undefined) {
      unloadable.push(`${row.name}: cannot load: ${row.error ?? 'no reason given'}`);
      continue;
    }
    table.push([[row.name, row.newest ?? 'no result'], ...columns.map((column): TwoLines => [STATE_WORD[cells[column].state], cells[column].date ?? ''])]);
  }
  const widths = (table[0] ?? []).map((_, index) => Math.max(...table.map((line) => Math.max(...(line[index] ?? ['', '']).map((text) => text.length)))));
  const fits = widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1) <= WIDTH;
  const gap = fits ? '  ' : ' ';
  const lines: string[] = [];
  for (const [index, line] of table.entries()) {
    for (const part of [0, 1] as const) lines.push(line.map((cell, column) => cell[part].padEnd(widths[column] ?? 0)).join(gap).trimEnd());
    if (index === 0) lines.push('-'.repeat(widths.reduce((sum, width) => sum + width, 0) + gap.length * (widths.length - 1)));
  }
  lines.push(...unloadable, '');
  for (const row of rows) if (row.module !== undefined) lines.push(`${row.name}: from ${row.module}`);
  lines.push('yes/FAILED <date>: declared, and the newest conformance result here that checked it passed/failed');
  lines.push('unchecked: declared, but no result here says; -: not declared; required: the rules every driver must pass');
  lines.push('to check a driver on this machine: harness conformance --platform <name> (or --platform-module <module>)');
  return lines;
}

/** A hyphenated name over two lines at the hyphen that balances them, so that the column is no wider than its cells. */
function splitWord(word: string): readonly [string, string] {
  const hyphens = [...word.matchAll(/-/g)].map((match) => (match.index ?? 0) + 1);
  if (hyphens.length === 0) return [word, ''];
  const at = hyphens.reduce((best, candidate) => (Math.max(candidate, word.length - candidate) < Math.max(best, word.length - best) ? candidate : best));
  return [word.slice(0, at), word.slice(at)];
}
