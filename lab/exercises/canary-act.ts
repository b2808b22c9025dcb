// One change under Flagger: apply it to front-end's pod template, then — at once — watch the Canary
// until its analysis ends (sampling phase and weight) and, with a data plane, stream requests
// through the gateway until then; afterwards read what the judgement needs (the primary, its
// rollout, the route).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from './clock.ts';
import { NS } from './front-end-mesh.ts';
import { LAB_VS_REF, PRIMARY, PRIMARY_REF, TARGET_REF } from './canary-spec.ts';
import { changeMark, withChange, type ChangeKind } from './canary-changes.ts';
import { hostWeights } from './canary-routing.ts';
import type { ChangeObservation } from './canary-specs.ts';
import { streamUntil, type StreamReport } from './canary-traffic.ts';
import { watchCanary, type CanaryWatch } from './canary-watch.ts';
import type { ExerciseRun } from './types.ts';

export interface ChangeTiming {
  /** The outcome must come within this, ms after Flagger started the analysis. */
  deadlineMs: number;
  /** Flagger notices the change at the Canary's next run: up to one interval. */
  detectionMs: number;
  /** Keep watching this much longer, to report when a late outcome came. */
  overrunMs: number;
  pollMs: number;
  /** After Succeeded: how long the primary's rollout may still take. */
  primaryRolloutMs: number;
  /** The gateway stream: one request every … */
  streamIntervalMs: number;
  clock: Clock;
}

export interface ChangeResult {
  observation: ChangeObservation;
  stream: StreamReport | undefined;
}

export async function runChange(x: ExerciseRun, kind: ChangeKind, run: string, t: ChangeTiming): Promise<ChangeResult> {
  const primaryBefore = await x.ops.get(PRIMARY_REF);
  const live = await x.ops.get(TARGET_REF);
  if (!live) throw new Error('Deployment sock-shop/front-end is missing');
  const changed = withChange(live, kind, run);
  const what = kind === 'healthy' ? 'a new pod-template annotation' : 'front-end started with --domain=lab-faulty.invalid (every backend call fails: 500)';
  await x.change(`${kind} change to front-end: ${what}`, () => x.ops.apply([changed]));
  const since = t.clock.now();
  let finished: () => void = () => undefined;
  const over = new Promise<void>((resolve) => (finished = resolve));
  const [watch, stream] = await Promise.all([
    x.wait(`until Canary front-end has an outcome (${kind}: budget ${t.deadlineMs / 1000} s), sampling phase and canaryWeight every ${t.pollMs / 1000} s`, () =>
      watchCanary(x.ops, { since, limitMs: t.detectionMs + t.deadlineMs + t.overrunMs, pollMs: t.pollMs, clock: t.clock }).finally(finished)) as Promise<CanaryWatch>,
    x.traffic(`GET /catalogue through the gateway while Flagger analyses the ${kind} change`, async () =>
      streamUntil({ url: `${await x.ops.ingressUrl()}/catalogue`, intervalMs: t.streamIntervalMs, timeoutMs: 5000, stop: over })),
  ]);
  let primaryRollout: ChangeObservation['primaryRollout'] = { done: false, error: 'not waited for' };
  if (watch.final.phase === 'Succeeded') {
    primaryRollout = await x.wait(`until front-end-primary has rolled out (≤ ${t.primaryRolloutMs / 1000} s)`, () =>
      x.ops.waitRollout(NS, PRIMARY, t.primaryRolloutMs).then(() => ({ done: true }), (err: Error) => ({ done: false, error: err.message })));
  }
  const [primaryAfter, target, vs] = await Promise.all([PRIMARY_REF, TARGET_REF, LAB_VS_REF].map((r) => x.ops.get(r))) as Array<KubernetesObject | undefined>;
  return {
    observation: { kind, mark: changeMark(kind, run), deadlineMs: t.deadlineMs, watch, primaryBefore, primaryAfter, primaryRollout, target, routes: hostWeights(vs) },
    stream,
  };
}
