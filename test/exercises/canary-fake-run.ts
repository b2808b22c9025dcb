// Running the canary exercise against the fake Flagger (fake-flagger.ts), with timings scaled to its
// 20 ms interval: each budget still holds Flagger's runs several times over, and polling every 5 ms
// sees every weight step (one per 20 ms tick) several times. The exercise and the fake share one
// virtual clock (virtual-clock.ts): the deadlines are judged in the fake's time, not the machine's.
import type { KubernetesObject } from '@kubernetes/client-node';
import { makeCanary, type CanaryTiming } from '../../lab/exercises/canary.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { FlaggerMesh, type FakeFlaggerOptions } from './fake-flagger.ts';
import { VirtualClock } from './virtual-clock.ts';

export const FAST: CanaryTiming = {
  pollMs: 5, flaggerAnswerMs: 400, initDeadlineMs: 1000, deleteDeadlineMs: 1000,
  promotionDeadlineMs: 1500, rollbackDeadlineMs: 600, overrunMs: 1500, detectionMs: 40, primaryRolloutMs: 500, streamIntervalMs: 20,
};

export interface CanaryRun {
  report: ExerciseReport;
  mesh: FlaggerMesh;
  /** Every object of the fake cluster before the run, in wire form (for "left exactly as it was"). */
  before: Map<string, KubernetesObject>;
}

export async function runCanary(opts: FakeFlaggerOptions = {}, run: { dataPlane?: boolean; timing?: Partial<CanaryTiming> } = {}): Promise<CanaryRun> {
  const clock = new VirtualClock();
  const mesh = new FlaggerMesh({ seed: 11, clock, ...opts });
  await mesh.start();
  const before = new Map([...mesh.objects].map(([k, v]) => [k, structuredClone(v)]));
  try {
    const report = await runExercise({
      exercise: makeCanary({ ...FAST, clock, ...run.timing }, () => 'run1'), ops: mesh,
      provider: run.dataPlane === false ? 'sim' : 'kind', dataPlane: run.dataPlane ?? true, keep: false,
      checkReady: async (n) => n.map((step) => ({ step, done: true })),
    });
    return { report, mesh, before };
  } finally {
    await mesh.stop();
  }
}

export { assertionsOf, failedNames, one } from './report-picks.ts';
