// canary (seed 001, Flagger): sock-shop's front-end as a Flagger Canary. Setup hands front-end to
// Flagger (canary-setup.ts: what collides with the lab and how it is resolved); act makes two changes
// to its pod template — a healthy one (a new annotation), which Flagger must promote step by step
// within 3 minutes, and a faulty one (front-end cut off from its backends, so it answers 500), which
// it must roll back within a minute, the primary untouched (canary-changes.ts). Judged by the
// Canary's phase and Promoted condition, the weights sampled on the way (canary-specs.ts); the
// phase timeline is in the report. Cleanup deletes the Canary (Flagger reverts) and restores every
// recorded object exactly.
//
// On sim the gateway stream is skipped visibly, as in every exercise; the Flagger parts are API
// parts and run whenever a Flagger acts on the Canary (the tests run the real one against sim),
// and are skipped, with the reason, when none does.
import { randomBytes } from 'node:crypto';
import { RELEASES } from '../observability/endpoints.ts';
import { judge } from './assertions.ts';
import { REAL_CLOCK } from './clock.ts';
import { runChange, type ChangeTiming } from './canary-act.ts';
import { analysisOf, canaryObject, CANARY_PHASE, PROMOTION_BUDGET_MS, ROLLBACK_BUDGET_MS, type Analysis, type CanaryObject } from './canary-spec.ts';
import { handOver, takeBack, type FlaggerPresence, type SetupTiming } from './canary-setup.ts';
import { faultySpecs, healthySpecs, type ChangeObservation } from './canary-specs.ts';
import { NS } from './front-end-mesh.ts';
import type { Exercise } from './types.ts';

export interface CanaryTiming extends SetupTiming {
  promotionDeadlineMs: number;
  rollbackDeadlineMs: number;
  overrunMs: number;
  /** Watch this much longer than the budget for Flagger to notice the change; default one interval. */
  detectionMs?: number;
  primaryRolloutMs: number;
  streamIntervalMs: number;
}

/** Polling every second sees each of Flagger's 10 s steps about ten times; the deadlines are the
 * lab's budgets (canary-spec.ts); a late outcome is still watched for 30 s, to report when it came. */
export const TIMING: CanaryTiming = {
  pollMs: 1000,
  flaggerAnswerMs: 30_000,
  initDeadlineMs: 120_000,
  deleteDeadlineMs: 120_000,
  promotionDeadlineMs: PROMOTION_BUDGET_MS,
  rollbackDeadlineMs: ROLLBACK_BUDGET_MS,
  overrunMs: 30_000,
  primaryRolloutMs: 60_000,
  streamIntervalMs: 100,
};

export interface CanaryState {
  run: string;
  flagger: FlaggerPresence;
}

export interface CanaryObserved {
  healthy?: ChangeObservation;
  faulty?: ChangeObservation;
  /** Why the Flagger parts were skipped (sim without a running Flagger). */
  skipped?: string;
}

const changeTiming = (t: CanaryTiming, a: Analysis, deadlineMs: number): ChangeTiming => ({ deadlineMs, detectionMs: t.detectionMs ?? a.detectionMs, overrunMs: t.overrunMs, pollMs: t.pollMs, primaryRolloutMs: t.primaryRolloutMs, streamIntervalMs: t.streamIntervalMs, clock: t.clock ?? REAL_CLOCK });

/** `canary`: the Canary to apply (tests against an out-of-cluster Flagger point its webhook at a local loadtester). */
export function makeCanary(t: CanaryTiming = TIMING, newRun: () => string = () => randomBytes(3).toString('hex'), canary: () => CanaryObject = canaryObject): Exercise<CanaryState, CanaryObserved> {
  const a = analysisOf(canary());
  return {
    name: 'canary',
    summary: `sock-shop front-end under Flagger: a healthy change promoted in steps of ${a.stepWeight} to ${a.maxWeight} within ${t.promotionDeadlineMs / 1000} s, a faulty one (500s) rolled back within ${t.rollbackDeadlineMs / 1000} s, the primary untouched`,
    needs: ['istio', 'samples', RELEASES.prometheusStack.release, RELEASES.flagger.release, RELEASES.flaggerLoadtester.release],
    manifests: () => ({ [CANARY_PHASE]: [canaryObject()] }),

    async setup(x) {
      return { run: newRun(), flagger: await handOver(x, t, canary()) };
    },

    async act(x, s) {
      if (!s.flagger.running) return { skipped: s.flagger.reason };
      const healthy = await runChange(x, 'healthy', s.run, changeTiming(t, a, t.promotionDeadlineMs));
      const faulty = await runChange(x, 'faulty', s.run, changeTiming(t, a, t.rollbackDeadlineMs));
      return { healthy: healthy.observation, faulty: faulty.observation };
    },

    assert: (o, skipReason) => [
      ...judge(o.healthy, o.skipped ?? skipReason, healthySpecs(a, t.promotionDeadlineMs)),
      ...judge(o.faulty, o.skipped ?? skipReason, faultySpecs(a, t.rollbackDeadlineMs)),
    ],

    cleanup: (x) => takeBack(x, t, canary()),

    diagnose: (x) => x.ops.collect([
      { title: 'the Canary, with Flagger\'s events (why it halted, failed or rolled back)', tool: 'kubectl', args: ['describe', 'canary', 'front-end', '-n', NS], tailLines: 60 },
      { title: "Flagger's log", tool: 'kubectl', args: ['logs', '-n', RELEASES.flagger.namespace, `deploy/${RELEASES.flagger.release}`, '--tail=80'] },
      { title: "the loadtester's log (the load test's runs)", tool: 'kubectl', args: ['logs', '-n', RELEASES.flaggerLoadtester.namespace, `deploy/${RELEASES.flaggerLoadtester.release}`, '-c', 'loadtester', '--tail=40'] },
      { title: `front-end's Deployments, Services and routes in ${NS}`, tool: 'kubectl', args: ['get', 'deploy,svc,virtualservice,destinationrule', '-n', NS, '-o', 'wide'] },
      { title: `pods in ${NS}`, tool: 'kubectl', args: ['get', 'pods', '-n', NS, '-o', 'wide'] },
      { title: `recent events in ${NS}`, tool: 'kubectl', args: ['get', 'events', '-n', NS, '--sort-by=.lastTimestamp'], tailLines: 25 },
    ]),
  };
}

export const canary = makeCanary();
