// The real Flagger v1.44.0 (built from its Go module) against a sim cluster, judging a canary by a real
// Prometheus scraping a synthetic Istio exporter, with its confirm-rollout gate and load-test webhook
// answered by the real loadtester (test/cluster/flagger-harness.ts). A small Deployment `web`, its
// Service and a Canary (10 s interval, threshold 2, steps of 25 % to 50 %): a healthy change waits at
// the closed gate, then is promoted; a change whose canary answers half its requests with 5xx is rolled
// back; so is one whose canary is slow (> 500 ms). Each outcome check is then shown failing on the
// other outcome's final state. Promotion and rollback times go to t.log.
import test from 'ava';
import type { KubernetesObject, V1Service } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../../lab/config-keys.ts';
import { waitDeploymentAvailable } from '../../lab/conditions.ts';
import { describeTimeline, primaryOnlyProblems, promotionProblems, REVISION_ANNOTATION, rollbackProblems, snapshot, watchCanary, type Snapshot } from './flagger-canary.ts';
import { flaggerRigMissing, startFlaggerRig, type FlaggerRig, type TrafficMode } from './flagger-harness.ts';
import { kube, lab, simProject } from './harness.ts';

const P = simProject(`flagger-${process.pid.toString(36)}`, { LAB_PROFILE: 'minimal' });
const NS = 'flagger-it';
const NAME = 'web';
const k = () => kube(P);
let rig: FlaggerRig | undefined;
const snaps: Record<string, Snapshot> = {};
const terminal = (s: { phase?: string }) => s.phase === 'Succeeded' || s.phase === 'Failed';

type Manifest = KubernetesObject & { spec: Record<string, unknown> };

const deployment = (revision: string): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: NAME, namespace: NS },
  spec: {
    // no replicas: Flagger scales this Deployment, and a re-apply must not take that field back
    selector: { matchLabels: { app: NAME } },
    template: {
      metadata: { labels: { app: NAME }, annotations: { [REVISION_ANNOTATION]: revision } },
      spec: { nodeSelector: { [NODEGROUP_LABEL]: 'app' }, containers: [{ name: NAME, image: 'registry.k8s.io/pause:3.10', ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
  },
});

const canary = (r: FlaggerRig): Manifest => ({
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  metadata: { name: NAME, namespace: NS },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAME },
    progressDeadlineSeconds: 120,
    service: { port: 80, targetPort: 8080 },
    analysis: {
      interval: '10s',
      threshold: 2,
      stepWeight: 25,
      maxWeight: 50,
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '15s' },
        { name: 'request-duration', thresholdRange: { max: 500 }, interval: '15s' },
      ],
      webhooks: [
        { name: 'gate', type: 'confirm-rollout', url: r.webhooks.gate },
        { name: 'load-test', type: 'rollout', url: r.webhooks.loadTest, timeout: '5s', metadata: { type: 'cmd', cmd: `echo load-test ${NAME}`, logCmdOutput: 'true' } },
      ],
    },
  },
});

test.before(async () => {
  const missing = flaggerRigMissing();
  if (missing) throw new Error(missing);
  const up = lab(P, ['up']);
  if (up.code !== 0) throw new Error(`lab up failed (${up.code}):\n${up.err}\n${up.out}`);
  await k().apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    deployment('r1'),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NS }, spec: { selector: { app: NAME }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } as Manifest,
  ]);
  await waitDeploymentAvailable(k(), NS, NAME, 90_000);
  rig = await startFlaggerRig({ kubeconfig: P.kubeconfig, context: P.context, namespace: NS, target: NAME, seed: 11, watchNamespace: NS });
  await k().apply([canary(rig)]);
  const init = await watchCanary(k(), NS, NAME, (s) => s.phase === 'Initialized', { timeoutMs: 90_000 });
  if (init.timedOut) throw new Error(`Canary not Initialized within 90 s: ${describeTimeline(init.timeline)}\n${rig.flagger.logs().slice(-3000)}`);
});

test.after.always(async () => {
  await rig?.stop();
  lab(P, ['down', '--purge', '--yes']);
});

/** Change the template to `revision` with the canary in `mode`; watch until Succeeded or Failed. */
async function rollout(t: import('ava').ExecutionContext, revision: string, mode: TrafficMode, before?: () => Promise<void>) {
  rig!.setMode(mode);
  const logFrom = rig!.flagger.logs().length;
  const t0 = Date.now();
  await k().apply([deployment(revision)]);
  // Until Flagger sees the new revision, the Canary still shows the last run's Succeeded or Failed.
  const noticed = await watchCanary(k(), NS, NAME, (s) => !terminal(s), { timeoutMs: 60_000 });
  if (noticed.timedOut) t.fail(`Flagger did not pick up ${revision} within 60 s: ${describeTimeline(noticed.timeline)}`);
  await before?.();
  const run = await watchCanary(k(), NS, NAME, terminal, { timeoutMs: 180_000 });
  const s = await snapshot(k(), NS, NAME, run.timeline);
  const seconds = (Date.now() - t0) / 1000;
  t.log(`${revision} (${mode}): ${s.phase} ${seconds.toFixed(1)} s after the change (noticed after ${(noticed.ms / 1000).toFixed(1)} s) — ${describeTimeline(run.timeline)}`);
  if (run.timedOut) t.log(rig!.flagger.logs().slice(logFrom).slice(-4000));
  return { s, seconds, endedAt: Date.now(), logs: rig!.flagger.logs().slice(logFrom) };
}

test.serial('initialised: the primary runs r1, Service web selects it, all traffic on web-primary', async (t) => {
  const s = await snapshot(k(), NS, NAME, []);
  t.is(s.primaryRevision, 'r1');
  t.is(s.canaryReplicas, 0, 'the target is scaled to zero once its primary is ready');
  t.deepEqual(primaryOnlyProblems(s, NAME), []);
  const svc = await k().get<V1Service>({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: NAME });
  t.deepEqual(svc?.spec?.selector, { app: `${NAME}-primary` }, 'Flagger rewrote the Service it found to select the primary');
});

test.serial('healthy: waits at the closed gate, then promoted in steps', async (t) => {
  let waited = '';
  let mid: Snapshot | undefined;
  let opened = 0;
  const run = await rollout(t, 'r2', 'healthy', async () => {
    const w = await watchCanary(k(), NS, NAME, (s) => s.phase === 'Waiting', { timeoutMs: 60_000 });
    t.false(w.timedOut, `never Waiting: ${describeTimeline(w.timeline)}`);
    const held = await watchCanary(k(), NS, NAME, (s) => s.phase !== 'Waiting', { timeoutMs: 15_000 });
    t.true(held.timedOut, `left Waiting with the gate closed: ${describeTimeline(held.timeline)}`);
    waited = rig!.loadtester.logs();
    t.log(`gate opened ${(held.ms / 1000).toFixed(1)} s after Waiting`);
    await rig!.openGate(NAME, NS);
    opened = Date.now();
    const p = await watchCanary(k(), NS, NAME, (s) => (s.canaryWeight ?? 0) > 0 || terminal(s), { timeoutMs: 60_000 });
    mid = await snapshot(k(), NS, NAME, p.timeline);
  });
  snaps.healthy = run.s;
  snaps.mid = mid!;
  t.regex(waited, new RegExp(`${NAME}\\.${NS} gate check: approved false`));
  t.regex(rig!.loadtester.logs(), new RegExp(`command finished echo load-test ${NAME}`), 'the load-test webhook ran its command');
  t.deepEqual(promotionProblems(run.s, { service: NAME, revision: 'r2' }), []);
  t.log(`promotion: ${((run.endedAt - opened) / 1000).toFixed(1)} s from opening the gate to Succeeded; ${run.seconds.toFixed(1)} s from the change, the closed gate's wait included`);
});

for (const [mode, revision, why] of [['faulty', 'r3', /advancement success rate \d+\.\d+% < 99%/], ['slow', 'r4', /advancement request duration [\d.]+m?s > 500ms/]] as const) {
  test.serial(`${mode}: rolled back, the primary still on r2, all traffic back on it`, async (t) => {
    if (mode === 'slow') {
      rig!.setMode('slow');
      await new Promise((r) => setTimeout(r, 16_000)); // let the 15 s metric window hold no faulty traffic
    }
    const run = await rollout(t, revision, mode);
    snaps[mode] = run.s;
    t.deepEqual(rollbackProblems(run.s, { service: NAME, primaryRevision: 'r2' }), []);
    t.regex(run.logs, why, `Flagger halted for the ${mode} reason`);
    t.log(`rollback: ${run.seconds.toFixed(1)} s from the change`);
  });
}

test.serial('each outcome check fails on the other outcome', (t) => {
  for (const mode of ['faulty', 'slow'] as const) {
    const wrong = promotionProblems(snaps[mode], { service: NAME, revision: mode === 'faulty' ? 'r3' : 'r4' });
    t.true(wrong.some((p) => /phase is Failed, not Succeeded/.test(p)), wrong.join('; '));
    t.true(wrong.some((p) => /Promoted is False \(Failed\), not True \(Succeeded\)/.test(p)), wrong.join('; '));
    t.true(wrong.some((p) => /the primary runs revision r2, not the new r[34]/.test(p)), wrong.join('; '));
    t.true(wrong.some((p) => /not several steps|not maxWeight 50/.test(p)), wrong.join('; '));
  }
  const wrong = rollbackProblems(snaps.healthy, { service: NAME, primaryRevision: 'r1' });
  t.true(wrong.some((p) => /phase is Succeeded, not Failed/.test(p)), wrong.join('; '));
  t.true(wrong.some((p) => /Promoted is True \(Succeeded\), not False \(Failed\)/.test(p)), wrong.join('; '));
  t.true(wrong.some((p) => /the primary runs revision r2, not the unchanged r1/.test(p)), wrong.join('; '));
  t.true(primaryOnlyProblems(snaps.mid, NAME).length > 0, `mid-run routes ${JSON.stringify(snaps.mid.routes)}`);
});
