// Reading a Canary's status and watching it move: the phase, `.status.canaryWeight` and the
// Promoted condition, sampled every pollMs while Flagger works, kept as a timeline of every change
// (time since the change was applied). Judged by phase and condition, never by
// `.status.failedChecks`: Flagger resets it to 0 when it rolls back (pkg/controller/scheduler.go
// rollback → SyncStatus{Phase: Failed, CanaryWeight: 0}).
import type { KubernetesObject } from '@kubernetes/client-node';
import { REAL_CLOCK, type Clock } from './clock.ts';
import type { MeshOps } from './mesh-ops-types.ts';
import { CANARY_REF } from './canary-spec.ts';

export interface PromotedCondition {
  status: string;
  reason: string;
  message: string;
}

export interface CanaryState {
  phase: string | null;
  canaryWeight: number;
  failedChecks: number;
  promoted: PromotedCondition | null;
}

interface CanaryStatus {
  phase?: string;
  canaryWeight?: number;
  failedChecks?: number;
  conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
}

export function canaryStateOf(o: KubernetesObject | undefined): CanaryState {
  const s = ((o as { status?: CanaryStatus } | undefined)?.status ?? {}) as CanaryStatus;
  const c = s.conditions?.find((x) => x.type === 'Promoted');
  return {
    phase: s.phase ?? null,
    canaryWeight: s.canaryWeight ?? 0,
    failedChecks: s.failedChecks ?? 0,
    promoted: c ? { status: c.status ?? '', reason: c.reason ?? '', message: c.message ?? '' } : null,
  };
}

export const TERMINAL = ['Succeeded', 'Failed'] as const;
/** Phases of an analysis in progress: once one is seen, the next terminal phase is this change's outcome. */
export const ANALYSING = ['Progressing', 'Waiting', 'WaitingPromotion', 'Promoting', 'Finalising'];

export interface TimelineEntry {
  /** ms since the change was applied. */
  atMs: number;
  phase: string | null;
  canaryWeight: number;
}

export interface CanaryWatch {
  /** Every change of phase or weight, the first reading included. */
  timeline: TimelineEntry[];
  /** When Flagger was first seen analysing the change (Progressing, …); null: never. */
  startedMs: number | null;
  /** When the outcome (a terminal phase after an analysis) was first seen; null: not within the watch. */
  outcomeMs: number | null;
  final: CanaryState;
  polls: number;
  /** Readings that failed (an API error), with the last message. */
  readErrors: number;
  lastError?: string;
  watchedMs: number;
  /** Lines for the text report. */
  lines: string[];
}

export interface WatchOptions {
  /** clock.now() when the change was applied. */
  since: number;
  /** Stop watching this long after `since`, outcome or not. */
  limitMs: number;
  pollMs: number;
  clock?: Clock;
}

export function timelineLines(t: TimelineEntry[]): string[] {
  return t.map((e) => `+${(e.atMs / 1000).toFixed(1).padStart(6)} s  ${(e.phase ?? '(no status)').padEnd(16)} canaryWeight ${e.canaryWeight}`);
}

/** Sample the Canary until an analysis has run and ended (Succeeded or Failed), or the limit. The
 * watch is measured from the change; the limit should cover the budget plus Flagger's detection. */
export async function watchCanary(ops: MeshOps, o: WatchOptions): Promise<CanaryWatch> {
  const clock = o.clock ?? REAL_CLOCK;
  const now = () => clock.now();
  const timeline: TimelineEntry[] = [];
  let final = canaryStateOf(undefined);
  let startedMs: number | null = null;
  let outcomeMs: number | null = null;
  let polls = 0;
  let readErrors = 0;
  let lastError: string | undefined;
  for (;;) {
    const atMs = now() - o.since;
    try {
      final = canaryStateOf(await ops.get(CANARY_REF));
      polls++;
      const last = timeline.at(-1);
      if (!last || last.phase !== final.phase || last.canaryWeight !== final.canaryWeight) timeline.push({ atMs, phase: final.phase, canaryWeight: final.canaryWeight });
      if (startedMs === null && final.phase && ANALYSING.includes(final.phase)) startedMs = atMs;
      if (startedMs !== null && final.phase && (TERMINAL as readonly string[]).includes(final.phase)) {
        outcomeMs = atMs;
        break;
      }
    } catch (err) {
      readErrors++;
      lastError = (err as Error).message;
    }
    if (now() - o.since >= o.limitMs) break;
    await clock.sleep(o.pollMs);
  }
  return { timeline, startedMs, outcomeMs, final, polls, readErrors, lastError, watchedMs: now() - o.since, lines: timelineLines(timeline) };
}

/** Sample the Canary until `ok` holds (e.g. Initialized), or the deadline; for setup. */
export async function waitForCanary(ops: MeshOps, ok: (s: CanaryState) => boolean, deadlineMs: number, pollMs: number, clock: Clock = REAL_CLOCK): Promise<{ state: CanaryState; ok: boolean; ms: number; timeline: TimelineEntry[] }> {
  const t0 = clock.now();
  const timeline: TimelineEntry[] = [];
  for (;;) {
    const state = canaryStateOf(await ops.get(CANARY_REF));
    const last = timeline.at(-1);
    const atMs = clock.now() - t0;
    if (!last || last.phase !== state.phase || last.canaryWeight !== state.canaryWeight) timeline.push({ atMs, phase: state.phase, canaryWeight: state.canaryWeight });
    if (ok(state)) return { state, ok: true, ms: atMs, timeline };
    if (atMs >= deadlineMs) return { state, ok: false, ms: atMs, timeline };
    await clock.sleep(pollMs);
  }
}
