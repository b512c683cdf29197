import { Listr, type ListrTaskWrapper } from 'listr2';
import type { CellState } from '../../results-schema/cell-record.js';
import type { CellPhase } from '../run/cell-runner.js';
import type { RunObserver, RunPlan } from '../run/observer.js';

/**
 * The live display of a run. On a terminal: one line per running case under a title
 * with counts and elapsed time, redrawn in place (listr2). Elsewhere (CI logs, pipes):
 * one plain line per finished case, so parallel cases never interleave mid-line.
 */
export interface ProgressDisplay {
  readonly observer: RunObserver;
  run<T>(work: () => Promise<T>): Promise<T>;
}

class RunState {
  readonly started = Date.now();
  total = 0;
  finished = 0;
  failed = 0;
  skipped = 0;
  readonly running = new Map<string, CellPhase>();

  title(): string {
    const elapsed = Math.round((Date.now() - this.started) / 1000);
    return `${this.finished}/${this.total} cases done, ${this.running.size} running, ${this.failed} did not boot, ${this.skipped} skipped — ${elapsed}s`;
  }

  record(state: CellState): void {
    this.finished += 1;
    if (state === 'failed-to-boot') this.failed += 1;
    if (state === 'skipped') this.skipped += 1;
  }
}

export function createProgressDisplay(interactive: boolean, write: (line: string) => void): ProgressDisplay {
  return interactive ? new TerminalDisplay() : new PlainDisplay(write);
}

class PlainDisplay implements ProgressDisplay {
  private readonly state = new RunState();
  readonly observer: RunObserver;

  constructor(write: (line: string) => void) {
    const state = this.state;
    const elapsed = (): string => `[${String(Math.round((Date.now() - state.started) / 1000)).padStart(4)}s]`;
    this.observer = {
      planned: (plan: RunPlan) => {
        state.total = plan.cells.length;
        write(`run ${plan.runId}: ${plan.cells.length} case(s) on ${plan.platform} (${plan.images.join(', ')}), ${plan.concurrency} at a time`);
        write(`results: ${plan.runDir}`);
        write(`platform: ${plan.platformSummary}`);
        if (plan.build !== undefined) write(`build: ${plan.build}`);
        for (const note of plan.notes) write(`note: ${note}`);
      },
      phase: (cell, phase) => state.running.set(cell, phase),
      stage: (line) => write(`${elapsed()} ${line}`),
      cellFinished: (cell, cellState, reason) => {
        state.running.delete(cell);
        state.record(cellState);
        const what = cellState === 'harvested' ? 'harvested' : cellState === 'skipped' ? `skipped: ${reason}` : `did not boot: ${reason}`;
        write(`${elapsed()} ${state.finished}/${state.total} ${cell} ${what}`);
      },
      evaluating: () => write(`${elapsed()} evaluating`),
      done: () => {},
    };
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }
}

class TerminalDisplay implements ProgressDisplay {
  private readonly state = new RunState();
  private task: ListrTaskWrapper<unknown, never, never> | undefined;
  readonly observer: RunObserver;

  constructor() {
    const state = this.state;
    this.observer = {
      planned: (plan) => {
        state.total = plan.cells.length;
        this.redraw();
      },
      phase: (cell, phase) => {
        state.running.set(cell, phase);
        this.redraw();
      },
      cellFinished: (cell, cellState) => {
        state.running.delete(cell);
        state.record(cellState);
        this.redraw();
      },
      stage: (line) => {
        if (this.task) this.task.output = line;
      },
      evaluating: () => {
        if (this.task) this.task.output = 'evaluating with mocha';
      },
      done: () => {},
    };
  }

  private redraw(): void {
    if (!this.task) return;
    this.task.title = this.state.title();
    this.task.output = [...this.state.running].map(([cell, phase]) => `${phase.padEnd(11)} ${cell}`).join('\n') || 'waiting';
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    let result: T | undefined;
    const ticker = setInterval(() => this.redraw(), 1000);
    try {
      await new Listr(
        [
          {
            title: 'starting',
            task: async (_context, task) => {
              this.task = task as unknown as ListrTaskWrapper<unknown, never, never>;
              result = await work();
              task.title = this.state.title();
            },
            rendererOptions: { outputBar: 1, persistentOutput: false },
          },
        ],
        { renderer: 'default', exitOnError: true, registerSignalListeners: false, rendererOptions: { lazy: false } },
      ).run();
    } finally {
      clearInterval(ticker);
    }
    return result as T;
  }
}
