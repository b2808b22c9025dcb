// How the canary exercise hands front-end to Flagger and takes it back: the conflicts between
// Flagger's objects and the lab's, and how each is resolved.
//
// - front-end-v2 shares app=front-end with front-end, and Flagger's Service front-end-canary selects
//   app=front-end: v2's pods would get the canary's traffic. → scaled to 0 for the exercise (the
//   lab routes 0 % to v2 anyway), its replica count restored afterwards.
// - Service front-end: Flagger rewrites its selector to app=front-end-primary (ports as the Canary
//   says, equal to the lab's) and annotates it so Flux leaves it alone (kustomize.toolkit.fluxcd.io/
//   reconcile and helm.toolkit.fluxcd.io/driftDetection: disabled). → allowed; revertOnDeletion points
//   it back; cleanup takes the annotations over so the restore removes them.
// - VirtualService front-end: Flagger takes over the lab's VirtualService of that name (same hosts
//   and gateway, routes to front-end-primary/front-end-canary), keeping the lab's spec in its
//   flagger.kubernetes.io/original-configuration annotation. Taking it over (rather than the lab
//   deleting it first) keeps the gateway serving throughout: Flagger switches the route only once
//   the primary is ready. revertOnDeletion puts the lab's spec back; its annotations are released
//   like the Service's, and the restore re-applies the recorded object exactly.
// - front-end-primary, front-end-canary and their DestinationRules: new, owned by the Canary;
//   recorded as absent, so the restore deletes them (and the garbage collector would too).
// Cleanup order: suspend the Canary (no analysis run may re-point the Service or the route while
// Flagger reverts), put front-end's recorded pod template back (Flagger scales front-end up when the
// Canary goes: it must not be the faulty one), delete the Canary and wait for Flagger's finalizer,
// check what Flagger reverted, release Flagger's annotations, then restore everything recorded.
import type { KubernetesObject } from '@kubernetes/client-node';
import { LabError } from '../errors.ts';
import { describeRef, type ObjRef } from '../kube-refs.ts';
import { NS, withReplicas } from './front-end-mesh.ts';
import { CANARY_CRD_REF, CANARY_REF, FLAGGER_REFS, LAB_REFS, LAB_VS_REF, PRIMARY, PRIMARY_REF, SERVICE_REF, TARGET_REF, V2_REF } from './canary-spec.ts';
import { describeHostWeights, describeSelector, hostWeights } from './canary-routing.ts';
import { canaryStateOf, waitForCanary } from './canary-watch.ts';
import type { CanaryObject } from './canary-spec.ts';
import type { Clock } from './clock.ts';
import { pollUntil } from './exercise-helpers.ts';
import { CONTROLLER_ANNOTATIONS, jsonDiff, restoreForm } from './snapshot.ts';
import type { ExerciseRun } from './types.ts';

export interface SetupTiming {
  pollMs: number;
  /** Flagger gives a new Canary a status (Initializing) at once; this long without one: no Flagger. */
  flaggerAnswerMs: number;
  /** Until Initialized: the primary created and ready, the Service and route switched. */
  initDeadlineMs: number;
  /** Until Flagger's finalizer has reverted and let the Canary go. */
  deleteDeadlineMs: number;
  /** What the waits are measured by; real time unless a test gives its fake's clock. */
  clock?: Clock;
}

/** Flagger is there and acting, or why the Flagger parts are skipped (sim only). */
export type FlaggerPresence = { running: true } | { running: false; reason: string };

const specOf = (o: KubernetesObject | undefined) => (o as { spec?: unknown } | undefined)?.spec;
const replicasOf = (d: KubernetesObject | undefined) => (d as { spec?: { replicas?: number } } | undefined)?.spec?.replicas ?? 1;

/** Record, scale front-end-v2 to 0, apply the Canary, wait for Flagger to initialise it. */
export async function handOver(x: ExerciseRun, t: SetupTiming, canary: CanaryObject): Promise<FlaggerPresence> {
  if (!(await x.ops.get(CANARY_CRD_REF))) {
    const why = 'Flagger is not installed (no canaries.flagger.app CRD)';
    if (x.dataPlane) throw new LabError(`${why}: run \`npm run lab -- up\` with LAB_PROFILE=standard or full`);
    return { running: false, reason: `${x.skipReason.replace(/needs a data plane$/, '')}${why}: its chart archive is not cached here; the tests run the real Flagger against sim (test/cluster/canary.test.ts)` };
  }
  for (const ref of FLAGGER_REFS) {
    if (await x.ops.get(ref)) {
      throw new LabError(`${describeRef(ref)} already exists (left by \`--keep\`?): the exercise starts from the lab's own front-end`, {
        detail: `kubectl delete canary front-end -n ${NS}   # Flagger reverts front-end, then removes its objects\nnpm run lab -- up`,
      });
    }
  }
  await x.save([...FLAGGER_REFS, ...LAB_REFS]);
  await x.change('scale front-end-v2 to 0 (it shares app=front-end, which front-end-canary selects)', async () => {
    await x.ops.apply([withReplicas(x.saved(V2_REF)!, 0)]);
    await x.ops.waitRollout(NS, V2_REF.name, t.initDeadlineMs);
  });
  await x.change('apply the Canary front-end (manifests/exercises/canary/front-end)', () => x.ops.apply([canary]));
  const answered = await x.wait(`until Flagger gives the Canary a status (≤ ${t.flaggerAnswerMs / 1000} s)`, () =>
    waitForCanary(x.ops, (s) => s.phase !== null, t.flaggerAnswerMs, t.pollMs, t.clock));
  if (!answered.ok) {
    const why = `no Flagger acted on the Canary within ${t.flaggerAnswerMs / 1000} s (no .status)`;
    if (x.dataPlane) throw new LabError(why, { detail: 'kubectl -n istio-system get pods -l app.kubernetes.io/name=flagger; kubectl -n istio-system logs deploy/flagger' });
    return { running: false, reason: `${x.skipReason.replace(/needs a data plane$/, '')}${why}: Flagger's pod does not run on sim; the tests run the real Flagger against sim (test/cluster/canary.test.ts)` };
  }
  const init = await x.wait(`until Canary front-end is Initialized (≤ ${t.initDeadlineMs / 1000} s)`, () =>
    waitForCanary(x.ops, (s) => s.phase === 'Initialized' || s.phase === 'Failed', t.initDeadlineMs, t.pollMs, t.clock));
  const okInit = init.state.phase === 'Initialized';
  x.record({
    name: 'Canary front-end Initialized',
    status: okInit ? 'pass' : 'fail',
    expected: `.status.phase Initialized ≤ ${t.initDeadlineMs / 1000} s after the Canary was applied (the primary created and ready, Service and route switched to it)`,
    actual: `${init.state.phase ?? '(no status)'} after ${(init.ms / 1000).toFixed(1)} s, Promoted ${init.state.promoted?.status ?? '(absent)'}`,
    numbers: { seconds: +(init.ms / 1000).toFixed(1) },
  });
  if (!okInit) throw new LabError(`Flagger did not initialise Canary front-end: ${init.state.phase ?? 'no status'} after ${Math.round(init.ms / 1000)} s`);
  await recordTakeover(x);
  return { running: true };
}

/** After initialisation: the Service, the route, the target and the primary as the exercise relies on them. */
async function recordTakeover(x: ExerciseRun): Promise<void> {
  const [svc, vs, target, primary] = await Promise.all([SERVICE_REF, LAB_VS_REF, TARGET_REF, PRIMARY_REF].map((r) => x.ops.get(r)));
  const routes = hostWeights(vs);
  const problems = [
    ...(describeSelector(svc) === `app=${PRIMARY}` ? [] : [`Service front-end selects ${describeSelector(svc)}`]),
    ...(routes[PRIMARY] === 100 && Object.keys(routes).length === 2 ? [] : [`VirtualService front-end routes ${describeHostWeights(routes)}`]),
    ...(replicasOf(target) === 0 ? [] : [`front-end has ${replicasOf(target)} replicas`]),
    ...(primary ? [] : ['front-end-primary is missing']),
  ];
  x.record({
    name: 'Flagger took over front-end: Service → front-end-primary, VirtualService front-end-primary=100/front-end-canary=0, front-end scaled to 0',
    status: problems.length === 0 ? 'pass' : 'fail',
    expected: `Service front-end selects app=${PRIMARY}; the VirtualService front-end routes only to ${PRIMARY} and front-end-canary, primary 100; front-end has 0 replicas; front-end-primary exists`,
    actual: problems.length === 0 ? 'as expected' : problems.join('; '),
    numbers: { problems: problems.length },
  });
}

/** Suspend, put the recorded template back, delete the Canary and wait for Flagger's revert. */
export async function takeBack(x: ExerciseRun, t: SetupTiming, canary: CanaryObject): Promise<void> {
  const live = await x.ops.get(CANARY_REF).catch(() => undefined);
  if (live) {
    const savedTarget = x.saved(TARGET_REF);
    await x.change('suspend the Canary and put front-end\'s recorded pod template back', async () => {
      await x.ops.apply([{ ...canary, spec: { ...canary.spec, suspend: true } } as KubernetesObject]);
      const now = await x.ops.get(TARGET_REF);
      if (savedTarget && now) await x.ops.apply([withReplicas(savedTarget, replicasOf(now))]);
    });
    await x.change('delete the Canary (revertOnDeletion: Flagger scales front-end up, points Service and route back)', () => x.ops.delete(CANARY_REF));
    const gone = await x.wait(`until Flagger has let the Canary go (≤ ${t.deleteDeadlineMs / 1000} s)`, () =>
      pollUntil(() => x.ops.get(CANARY_REF), (o) => o === undefined, t.deleteDeadlineMs, t.pollMs, t.clock));
    x.record({
      name: 'Canary front-end deleted (Flagger\'s revertOnDeletion finalizer ran)',
      status: gone.ok ? 'pass' : 'fail',
      expected: `gone ≤ ${t.deleteDeadlineMs / 1000} s after the delete`,
      actual: gone.ok ? `gone after ${(gone.ms / 1000).toFixed(1)} s` : `still there after ${(gone.ms / 1000).toFixed(1)} s (${canaryStateOf(gone.value).phase ?? 'no status'}, finalizers ${JSON.stringify(gone.value?.metadata?.finalizers ?? [])})`,
      numbers: { seconds: +(gone.ms / 1000).toFixed(1) },
      ...(gone.ok ? {} : { reason: `kubectl patch canary front-end -n ${NS} --type=merge -p '{"metadata":{"finalizers":null}}' releases it` }),
    });
    if (gone.ok && (live as { status?: unknown }).status) await recordRevert(x);
  }
  // Flagger's annotations stay on what it took over: flagger.kubernetes.io/original-configuration on
  // the VirtualService, Flux's reconcile/driftDetection "disabled" on the Service. Released first, so
  // the restore's server-side apply removes them (below); nothing is deleted, the gateway keeps its route.
  for (const ref of [SERVICE_REF, LAB_VS_REF]) await releaseForeignAnnotations(x, ref);
  await x.restore();
}

const RELEASED = 'released-by-cloud-native-lab';

/**
 * Annotations another field manager (Flagger) added to a recorded object are not the lab's to drop:
 * a server-side apply that omits them leaves them to their owner. Applying the recorded object with
 * each of them set to another value moves them to the lab's field manager (a forced apply takes a
 * field over only when its value differs); the restore's apply, which omits them, then removes them.
 */
export async function releaseForeignAnnotations(x: ExerciseRun, ref: ObjRef): Promise<void> {
  const [live, saved] = [await x.ops.get(ref), x.saved(ref)];
  if (!live || !saved) return;
  const recorded = saved.metadata?.annotations ?? {};
  const foreign = Object.keys(live.metadata?.annotations ?? {}).filter((k) => !(k in recorded) && !CONTROLLER_ANNOTATIONS.includes(k));
  if (foreign.length === 0) return;
  const form = restoreForm(saved);
  form.metadata = { ...form.metadata, annotations: { ...form.metadata?.annotations, ...Object.fromEntries(foreign.map((k) => [k, RELEASED])) } };
  await x.change(`take over ${foreign.join(', ')} on ${describeRef(ref)} (the restore then removes them)`, () => x.ops.apply([form]));
}

/** What revertOnDeletion did before Flagger let the Canary go (the restore then makes it exact). */
async function recordRevert(x: ExerciseRun): Promise<void> {
  const [svc, vs, target] = await Promise.all([SERVICE_REF, LAB_VS_REF, TARGET_REF].map((r) => x.ops.get(r)));
  const [svc0, vs0, target0] = [SERVICE_REF, LAB_VS_REF, TARGET_REF].map((r) => x.saved(r));
  const problems = [
    ...(describeSelector(svc) === describeSelector(svc0) ? [] : [`Service front-end selects ${describeSelector(svc)}, not ${describeSelector(svc0)}`]),
    ...(replicasOf(target) === replicasOf(target0) ? [] : [`front-end has ${replicasOf(target)} replicas, not ${replicasOf(target0)}`]),
    ...(vs && vs0 && jsonDiff(specOf(vs0), specOf(vs)).length === 0 ? [] : [`VirtualService front-end: ${vs ? jsonDiff(specOf(vs0), specOf(vs)).join('; ') : 'missing'}`]),
  ];
  x.record({
    name: 'Flagger reverted front-end on deletion: Service, replicas and route as the lab had them',
    status: problems.length === 0 ? 'pass' : 'fail',
    expected: `Service front-end selects ${describeSelector(svc0)}; front-end has ${replicasOf(target0)} replica(s); the VirtualService front-end has the lab's spec again`,
    actual: problems.length === 0 ? 'as recorded' : problems.join('; '),
    numbers: { problems: problems.length },
  });
}
