import { Listr, type ListrTaskWrapper } from 'listr2';
import type { CellPhase, CellState } from '../../results-schema/cell-record.js';
import type { RunObserver, RunPlan } from '../run/observer.js';
import type { RunResult } from '../run/run-loop.js';
import { formatCounts } from './summary.js';

/**
 * The live display of a run. On a terminal: one line per running case under a title
 * with counts and elapsed time, redrawn in place (listr2). Elsewhere (CI logs, pipes):
 * one plain line per finished case, so parallel cases never interleave mid-line.
 *
 * Verdicts exist only once the whole run is judged (one mocha run after the last cell),
 * so while cells finish the display counts what is known then: skipped (already a
 * verdict), harvested (to be judged) and stopped (no whole harvest: the judge makes it an
 * error, or a failure when cloud-init hung); the verdicts come with the run's end.
 */
export interface ProgressDisplay {
  readonly observer: RunObserver;
  run(work: () => Promise<RunResult>): Promise<RunResult>;
}

type Outcome = 'harvested' | 'stopped' | 'skipped';

class RunState {
  readonly started = Date.now();
  total = 0;
  /** By cell: a case that did not pass in a shared boot finishes a second time, alone. */
  private readonly outcomes = new Map<string, Outcome>();
  readonly running = new Map<string, CellPhase>();

  constructor(private readonly label: string) {}

  private count(outcome: Outcome): number {
    return [...this.outcomes.values()].filter((each) => each === outcome).length;
  }

  get harvested(): number {
    return this.count('harvested');
  }

  get stopped(): number {
    return this.count('stopped');
  }

  get skipped(): number {
    return this.count('skipped');
  }

  get finished(): number {
    return this.outcomes.size;
  }

  elapsed(): number {
    return Math.round((Date.now() - this.started) / 1000);
  }

  title(): string {
    return `${this.label}${this.finished}/${this.total} cases done (${this.harvested} harvested, ${this.stopped} stopped early, ${this.skipped} skipped), ${this.running.size} running — ${this.elapsed()}s`;
  }

  judgedTitle(result: RunResult): string {
    const interrupted = result.interrupted ? ' — interrupted' : '';
    return `${this.label}${result.manifest.cells.length} cases judged: ${formatCounts(result.manifest.summary)}${interrupted} — ${this.elapsed()}s`;
  }

  /** What a finished cell's line says; the phase it was last in is where a stopped one stopped. */
  record(cell: string, state: CellState, reason: string | undefined): string {
    const phase = this.running.get(cell);
    this.running.delete(cell);
    if (state === 'harvested') {
      this.outcomes.set(cell, 'harvested');
      return 'harvested';
    }
    if (state === 'skipped') {
      this.outcomes.set(cell, 'skipped');
      return `skipped: ${reason ?? ''}`;
    }
    this.outcomes.set(cell, 'stopped');
    return `stopped${phase === undefined ? '' : ` while ${phase}`}: ${reason ?? ''}`;
  }
}

/** `label` goes before the run's first line and the title, e.g. `repetition 2/10: `. */
export function createProgressDisplay(interactive: boolean, write: (line: string) => void, label = ''): ProgressDisplay {
  return interactive ? new TerminalDisplay(label) : new PlainDisplay(write, label);
}

class PlainDisplay implements ProgressDisplay {
  readonly observer: RunObserver;

  constructor(write: (line: string) => void, label: string) {
    const state = new RunState(label);
    const elapsed = (): string => `[${String(state.elapsed()).padStart(4)}s]`;
    this.observer = {
      planned: (plan: RunPlan) => {
        state.total = plan.cells.length;
        write(`${label}run ${plan.runId}: ${plan.cells.length} case(s) on ${plan.platform} (${plan.images.join(', ')}), ${plan.concurrency} at a time`);
        write(`results: ${plan.runDir}`);
        write(`platform: ${plan.platformSummary}`);
        if (plan.build !== undefined) write(`build: ${plan.build}`);
        for (const note of plan.notes) write(`note: ${note}`);
      },
      phase: (cell, phase) => state.running.set(cell, phase),
      stage: (line) => write(`${elapsed()} ${line}`),
      cellFinished: (cell, cellState, reason) => {
        const what = state.record(cell, cellState, reason);
        write(`${elapsed()} ${state.finished}/${state.total} ${cell} ${what}`);
      },
      evaluating: () => write(`${elapsed()} evaluating: ${state.harvested} harvested, ${state.stopped} stopped early, ${state.skipped} skipped`),
      done: () => {},
    };
  }

  run(work: () => Promise<RunResult>): Promise<RunResult> {
    // The summary printed after the run gives the verdicts; a line here would repeat it.
    return work();
  }
}

class TerminalDisplay implements ProgressDisplay {
  private readonly state: RunState;
  private task: ListrTaskWrapper<unknown, never, never> | undefined;
  readonly observer: RunObserver;

  constructor(label: string) {
    const state = new RunState(label);
    this.state = state;
    this.observer = {
      planned: (plan) => {
        state.total = plan.cells.length;
        this.redraw();
      },
      phase: (cell, phase) => {
        state.running.set(cell, phase);
        this.redraw();
      },
      cellFinished: (cell, cellState, reason) => {
        state.record(cell, cellState, reason);
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

  async run(work: () => Promise<RunResult>): Promise<RunResult> {
    let result: RunResult | undefined;
    const ticker = setInterval(() => this.redraw(), 1000);
    try {
      await new Listr(
        [
          {
            title: 'starting',
            task: async (_context, task) => {
              this.task = task as unknown as ListrTaskWrapper<unknown, never, never>;
              result = await work();
              clearInterval(ticker);
              // The line that stays on the screen: the run's verdicts.
              task.title = this.state.judgedTitle(result);
            },
            rendererOptions: { outputBar: 1, persistentOutput: false },
          },
        ],
        { renderer: 'default', exitOnError: true, registerSignalListeners: false, rendererOptions: { lazy: false } },
      ).run();
    } finally {
      clearInterval(ticker);
    }
    // Listr throws what work threw, so here work has returned.
    return result as RunResult;
  }
}
