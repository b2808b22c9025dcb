// The ExerciseRun handed to every phase: records actions and assertions into the step the runner
// is in, skips traffic without a data plane (visibly), and keeps the snapshot used by cleanup.
import { LabError, wrap } from '../errors.ts';
import type { ObjRef } from '../kube.ts';
import type { MeshOps } from './mesh-ops-types.ts';
import type { Snapshot } from './snapshot.ts';
import type { ActionRecord, AssertionResult, ExerciseRun, StepRecord } from './types.ts';

export interface RunContextOptions {
  ops: MeshOps;
  dataPlane: boolean;
  skipReason: string;
  /** Whether a pipeline step is installed in this configuration. Default: every step. */
  installed?: (step: string) => boolean;
  /** Shared by every phase of one run: setup records, cleanup restores. */
  snapshot: Snapshot;
  /** The step this phase records into (one ExerciseRun per phase, so a late action of an
   * abandoned phase can never land in another step). */
  step: StepRecord;
  /** True once no new action may start (Ctrl-C outside cleanup). */
  stopped?: () => boolean;
  now?: () => number;
}

export function createExerciseRun(o: RunContextOptions): ExerciseRun {
  const now = o.now ?? Date.now;
  const snapshot = o.snapshot;

  async function action<T>(kind: ActionRecord['kind'], title: string, fn: () => Promise<T>): Promise<T> {
    if (o.stopped?.()) throw new LabError(`${title}: not started, the run was interrupted`);
    const t0 = now();
    const rec: ActionRecord = { title, kind, status: 'pass', startedAt: new Date(t0).toISOString(), durationMs: 0 };
    o.step.actions.push(rec);
    try {
      const value = await fn();
      if (value !== undefined) rec.data = value;
      return value;
    } catch (err) {
      rec.status = 'error';
      rec.reason = (err as Error).message;
      throw wrap(title, err);
    } finally {
      rec.durationMs = now() - t0;
    }
  }

  return {
    ops: o.ops,
    dataPlane: o.dataPlane,
    skipReason: o.skipReason,
    installed: (step) => o.installed?.(step) ?? true,
    save: (refs: ObjRef[]) => action('wait', `record ${refs.length} live object${refs.length === 1 ? '' : 's'} before changing them`, () => snapshot.save(o.ops, refs)),
    saved: (ref) => snapshot.saved(ref),
    async restore() {
      const results = await action('change', `re-apply the ${snapshot.size} recorded object${snapshot.size === 1 ? '' : 's'} and verify`, () => snapshot.restore(o.ops));
      for (const a of results) o.step.assertions.push(a);
    },
    change: (title, fn) => action('change', title, fn),
    wait: (title, fn) => action('wait', title, fn),
    async traffic<T>(title: string, fn: () => Promise<T>): Promise<T | undefined> {
      if (!o.dataPlane) {
        o.step.actions.push({ title, kind: 'traffic', status: 'skipped', startedAt: new Date(now()).toISOString(), durationMs: 0, reason: o.skipReason });
        return undefined;
      }
      return action('traffic', title, fn);
    },
    record: (a: AssertionResult) => {
      o.step.assertions.push(a);
    },
  };
}
