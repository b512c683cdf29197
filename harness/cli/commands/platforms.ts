import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { isHarnessError } from '../../../core/errors.js';
import type { SupportCell, SupportColumn } from '../../../platforms/conformance/index.js';
import type { DriverChoice } from '../../../platforms/registry.js';
import type { PlatformDriver } from '../../../platforms/types.js';
import type { CliContext } from '../context.js';
import { collect } from '../options.js';
import { alignColumns } from '../../../core/text-columns.js';

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

const STATE_WORD: Readonly<Record<SupportCell['state'], string>> = { yes: 'yes', failed: 'FAILED', unchecked: 'unchecked', 'not-declared': '-' };

/**
 * A plain table with a row per capability and a column per platform: capabilities grow
 * with the standard and platforms with the packages a user adds, and a platform column is
 * only as wide as "FAILED 2026-12-02", so the table stays narrow either way.
 */
function renderMatrix(rows: readonly MatrixRow[], columns: readonly SupportColumn[]): string[] {
  const loaded = rows.filter((row): row is MatrixRow & { readonly cells: NonNullable<MatrixRow['cells']> } => row.cells !== undefined);
  const table: string[][] = [
    ['capability', ...loaded.map((row) => row.name)],
    ['(newest result)', ...loaded.map((row) => row.newest ?? 'none')],
    ...columns.map((column) => [column, ...loaded.map((row) => [STATE_WORD[row.cells[column].state], row.cells[column].date ?? ''].join(' ').trim())]),
  ];
  const lines = alignColumns(table);
  lines.splice(2, 0, '-'.repeat(Math.max(...lines.map((line) => line.length))));
  for (const row of rows) if (row.cells === undefined) lines.push(`${row.name}: cannot load: ${row.error ?? 'no reason given'}`);
  lines.push('');
  for (const row of rows) if (row.module !== undefined) lines.push(`${row.name}: from ${row.module}`);
  lines.push('yes/FAILED <date>: declared, and the newest conformance result here that checked it passed/failed');
  lines.push('unchecked: declared, but no result here says; -: not declared; required: the rules every driver must pass');
  lines.push('to check a driver on this machine: harness conformance --platform <name> (or --platform-module <module>)');
  return lines;
}
