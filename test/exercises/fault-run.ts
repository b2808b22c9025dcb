// Running an exercise against the fake mesh for the fault-injection and retries-timeouts contract
// tests, and picking assertions out of its report.
import type { AnyExercise, ExerciseReport } from '../../lab/exercises/types.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { FakeMesh, type FakeMeshOptions } from './fake-mesh.ts';
import { assertionsOf, failedNames, one as pickOne } from './report-picks.ts';

/** Run `exercise` once against a fresh FakeMesh (seeded, its faults on `timeScale`). */
export async function runOnFake(exercise: AnyExercise, base: FakeMeshOptions, opts: FakeMeshOptions, dataPlane = true) {
  const mesh = new FakeMesh({ ...base, ...opts });
  await mesh.start();
  try {
    const report = await runExercise({ exercise, ops: mesh, provider: dataPlane ? 'kind' : 'sim', dataPlane, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
    return { report, mesh };
  } finally {
    await mesh.stop();
  }
}

export const asserted = (r: ExerciseReport) => assertionsOf(r, 'assert');
/** The one assertion of the assert step whose name contains `part` (throws unless exactly one). */
export const one = (r: ExerciseReport, part: string) => pickOne(r, part, 'assert');
export const failed = (r: ExerciseReport) => failedNames(r, 'assert');
