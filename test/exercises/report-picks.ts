// Picking assertions out of an exercise report, for the exercises' tests: every step's (or one
// step's), the one whose name contains a part, and the names of the failed ones.
import type { AssertionResult, ExerciseReport, StepName } from '../../lab/exercises/types.ts';

export const assertionsOf = (r: ExerciseReport, step?: StepName): AssertionResult[] => r.steps.filter((s) => !step || s.name === step).flatMap((s) => s.assertions);

/** The one assertion whose name contains `part` (throws, listing them all, unless exactly one). */
export function one(r: ExerciseReport, part: string, step?: StepName): AssertionResult {
  const found = assertionsOf(r, step).filter((a) => a.name.includes(part));
  if (found.length !== 1) throw new Error(`${found.length} assertions match ${JSON.stringify(part)}: ${assertionsOf(r, step).map((a) => a.name).join(' | ')}`);
  return found[0];
}

export const failedNames = (r: ExerciseReport, step?: StepName): string[] => assertionsOf(r, step).filter((a) => a.status === 'fail').map((a) => a.name);
