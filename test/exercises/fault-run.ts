// Running an exercise against the fake mesh for the fault-injection and retries-timeouts contract
// tests, and picking assertions out of its report.
import type { AnyExercise, AssertionResult, ExerciseReport } from '../../lab/exercises/types.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { FakeMesh, type FakeMeshOptions } from './fake-mesh.ts';

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

export const asserted = (r: ExerciseReport) => r.steps.find((s) => s.name === 'assert')!.assertions;

/** The one assertion of the assert step whose name contains `part` (throws unless exactly one). */
export function one(r: ExerciseReport, part: string): AssertionResult {
  const found = asserted(r).filter((a) => a.name.includes(part));
  if (found.length !== 1) throw new Error(`${found.length} assertions match ${JSON.stringify(part)}: ${asserted(r).map((a) => a.name).join(' | ')}`);
  return found[0];
}

export const failed = (r: ExerciseReport) => asserted(r).filter((a) => a.status === 'fail').map((a) => a.name);
