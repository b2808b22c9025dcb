// Every exercise the lab offers, in the order `lab exercise --list` shows them (persistence last:
// it re-creates the lab, so a loop over them runs it after the others).
import { UsageError } from '../errors.ts';
import { blueGreen } from './blue-green.ts';
import { canary } from './canary.ts';
import { circuitBreaker } from './circuit-breaker.ts';
import { faultInjection } from './fault-injection.ts';
import { mtls } from './mtls.ts';
import { observability } from './observability.ts';
import { persistence } from './persistence.ts';
import { retriesTimeouts } from './retries-timeouts.ts';
import { scheduling } from './scheduling.ts';
import { gitops } from './gitops.ts';
import { trafficSplit } from './traffic-split.ts';
import type { AnyExercise } from './types.ts';

export const EXERCISES: AnyExercise[] = [trafficSplit, circuitBreaker, blueGreen, observability, canary, faultInjection, retriesTimeouts, mtls, scheduling, persistence, gitops];

/** The named exercise, or a UsageError (exit 2) listing the valid names. */
export function findExercise(name: string, all: AnyExercise[] = EXERCISES): AnyExercise {
  const ex = all.find((e) => e.name === name);
  if (!ex) {
    throw new UsageError(`unknown exercise ${JSON.stringify(name)}; valid names: ${all.map((e) => e.name).join(', ')}`, 'Run `npm run exercise -- --list` to see what each one does.');
  }
  return ex;
}

/** `lab exercise --list`: name, one-line summary, needed components. */
export function listLines(all: AnyExercise[] = EXERCISES): string[] {
  const width = Math.max(...all.map((e) => e.name.length));
  return all.flatMap((e) => [`${e.name.padEnd(width)}  ${e.summary}`, `${' '.repeat(width)}  needs: ${e.needs.join(', ')}`]);
}
