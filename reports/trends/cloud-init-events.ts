import { BOOT_STAGES, type BootStage, type Missing, type ModuleTime, type StageTime } from '../../results-schema/boot-times.js';

/** One event of `cloud-init analyze dump`, as far as timing needs it. */
export interface AnalyzeEvent {
  readonly name: string;
  readonly event_type: string;
  readonly timestamp: number;
  readonly result?: string;
}

/** The stages and modules of one boot, as measured from its events. */
export interface StageTimes {
  readonly stages: readonly StageTime[];
  readonly missingStages: readonly Missing<BootStage>[];
}

const STAGE_OF_EVENT: Readonly<Record<string, BootStage>> = {
  'init-local': 'init-local',
  'init-network': 'init',
  'modules-config': 'modules-config',
  'modules-final': 'modules-final',
};
const MODULE_PREFIX = 'config-';

export function parseAnalyzeDump(text: string): AnalyzeEvent[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('`cloud-init analyze dump` printed something other than a JSON list of events');
  return parsed.filter(isEvent);
}

function isEvent(value: unknown): value is AnalyzeEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return typeof event.name === 'string' && typeof event.event_type === 'string' && typeof event.timestamp === 'number';
}

/**
 * cloud-init.log keeps every boot's events, so the dump does too. A boot begins where a
 * stage starts that does not come after the stages already seen (init-local, or init when
 * a platform has no local stage), as `cloud-init analyze show` splits its boot records.
 */
export function splitBoots(events: readonly AnalyzeEvent[]): AnalyzeEvent[][] {
  const boots: AnalyzeEvent[][] = [];
  let current: AnalyzeEvent[] = [];
  let lastStage = -1;
  for (const event of events) {
    const stage = STAGE_OF_EVENT[event.name];
    if (stage !== undefined && event.event_type === 'start') {
      const order = BOOT_STAGES.indexOf(stage);
      if (order <= lastStage && current.length > 0) {
        boots.push(current);
        current = [];
      }
      lastStage = order;
    }
    current.push(event);
  }
  if (current.length > 0) boots.push(current);
  return boots;
}

/** Each stage's and each `config-<module>` event's duration in one boot's events: a finish less its start. */
export function stageTimes(events: readonly AnalyzeEvent[]): StageTimes {
  const started = new Map<string, number>();
  const durations = new Map<string, { ms: number; result: string | undefined }>();
  for (const event of events) {
    if (event.event_type === 'start') started.set(event.name, event.timestamp);
    else if (event.event_type === 'finish') {
      const start = started.get(event.name);
      if (start === undefined) continue;
      started.delete(event.name);
      // analyze dump prints seconds with millisecond precision: round off float noise.
      durations.set(event.name, { ms: Math.round((event.timestamp - start) * 1000), result: event.result });
    }
  }
  const stages: StageTime[] = [];
  const missingStages: Missing<BootStage>[] = [];
  for (const [eventName, stage] of Object.entries(STAGE_OF_EVENT)) {
    const measured = durations.get(eventName);
    if (measured === undefined) {
      const reason = started.has(eventName) ? 'the stage started but has no finish event in this boot' : 'no event of this stage in this boot';
      missingStages.push({ name: stage, reason });
      continue;
    }
    const modules: ModuleTime[] = [];
    for (const [name, duration] of durations) {
      const module = moduleOf(name, eventName);
      if (module !== undefined) modules.push({ module, ms: duration.ms, result: duration.result });
    }
    stages.push({ stage, ms: measured.ms, modules });
  }
  return { stages, missingStages };
}

function moduleOf(eventName: string, stageEvent: string): string | undefined {
  const prefix = `${stageEvent}/${MODULE_PREFIX}`;
  if (!eventName.startsWith(prefix)) return undefined;
  const module = eventName.slice(prefix.length);
  return module.includes('/') ? undefined : module;
}
