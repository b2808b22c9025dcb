// The canary exercise end to end on sim with the real Flagger v1.44.0 (test/cluster/flagger-harness.ts:
// Flagger and its loadtester out of cluster against the sim API server, a real Prometheus scraping a
// synthetic Istio exporter). The exporter plays the canary's pods: it follows front-end's pod
// template, as real metrics would — the healthy change answers like the primary, the faulty change
// answers half its requests with 5xx, or slowly (> 500 ms) in the second run. Each run is the
// exercise itself (setup, both changes, every assertion, cleanup), in process with the lab's own
// MeshOps and readiness checks for the sim project; its JSON and JUnit are written and the JUnit
// validated. A third run inverts the exporter (the healthy change answers 5xx, the faulty one is
// healthy): every outcome assertion then fails, because Flagger's outcome is the other one.
// What Flagger wrote when it initialised is compared with lab/exercises/canary-routing.ts. Measured
// promotion and rollback times go to t.log.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { loadConfig } from '../../lab/config.ts';
import { createContext, type LabContext } from '../../lab/context.ts';
import { makeCanary, TIMING } from '../../lab/exercises/canary.ts';
import { markOf } from '../../lab/exercises/canary-changes.ts';
import { flaggerObjects } from '../../lab/exercises/canary-routing.ts';
import { canaryObject, CANARY_REF, FLAGGER_REFS, LAB_REFS, LAB_VS_REF, PRIMARY_REF, SERVICE_REF, TARGET_REF } from '../../lab/exercises/canary-spec.ts';
import type { CanaryWatch } from '../../lab/exercises/canary-watch.ts';
import { createMeshOps, toWireForm } from '../../lab/exercises/mesh-ops.ts';
import { checkNeeds, installedStep } from '../../lab/exercises/readiness.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import { toJUnit } from '../../lab/exercises/report-junit.ts';
import { runExercise } from '../../lab/exercises/runner.ts';
import { stateOf } from '../../lab/exercises/snapshot.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { describeRef, refOf, type ObjRef } from '../../lab/kube.ts';
import { memoryOutput } from '../../lab/log.ts';
import { ZxRunner } from '../../lab/run.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { REPO } from '../helpers.ts';
import { flaggerRigMissing, startFlaggerRig, type FlaggerRig, type TrafficMode } from './flagger-harness.ts';
import { kube, lab, simProject, versionsOf } from './harness.ts';

const P = simProject(`canary-${process.pid.toString(36)}`);
const XSD = path.join(REPO, 'fixtures', 'exercises', 'junit.xsd');
let rig: FlaggerRig | undefined;
let ctx: LabContext;
let follower: NodeJS.Timeout | undefined;
/** How the exporter's canary answers for each change (by front-end's change annotation). */
let plan: { healthy: TrafficMode; faulty: TrafficMode } = { healthy: 'healthy', faulty: 'faulty' };
/** What Flagger wrote once it had initialised the Canary (first run). */
let initialised: Record<string, KubernetesObject | undefined> | undefined;
let pristine: Record<string, unknown> = {};
/** `lab exercise canary` through the real CLI before any Flagger is there. */
let withoutFlagger: { code: number | null; out: string; err: string; json?: ExerciseReport; versionsBefore: Record<string, string>; versionsAfter: Record<string, string> } | undefined;

/** The exercise's Canary, pointed at what an out-of-cluster Flagger can reach: the rig's loadtester
 * (in-cluster names do not resolve there), and a 15 s metric window (the rig scrapes every second;
 * the lab's 1 m window is for a 15 s scrape). */
function rigCanary() {
  const c = canaryObject();
  c.spec.analysis.webhooks = c.spec.analysis.webhooks!.map((w) => ({ ...w, url: rig!.webhooks.loadTest }));
  c.spec.analysis.metrics = c.spec.analysis.metrics.map((m) => ({ ...m, interval: '15s' }));
  return c;
}

const refs: ObjRef[] = [...LAB_REFS, ...FLAGGER_REFS];
async function labState(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const r of refs) {
    const o = await kube(P).get(r).catch(() => undefined);
    out[describeRef(r)] = o ? stateOf(toWireForm(o)) : null;
  }
  return out;
}

/** Every 250 ms: the exporter's canary answers as the change in front-end's template says; and the
 * first time the Canary is Initialized, what Flagger wrote is kept. */
function follow(): void {
  let busy = false;
  follower = setInterval(async () => {
    if (busy || !rig) return;
    busy = true;
    try {
      const mark = markOf(await kube(P).get(TARGET_REF));
      rig.setMode(mark?.startsWith('faulty') ? plan.faulty : mark?.startsWith('healthy') ? plan.healthy : 'healthy');
      if (!initialised) {
        const cd = await kube(P).get(CANARY_REF) as (KubernetesObject & { status?: { phase?: string } }) | undefined;
        if (cd?.status?.phase === 'Initialized') {
          const names = [LAB_VS_REF, SERVICE_REF, PRIMARY_REF, ...FLAGGER_REFS.filter((r) => r.kind !== 'Canary')];
          initialised = Object.fromEntries(await Promise.all(names.map(async (r) => [describeRef(r), await kube(P).get(r).then((o) => (o ? toWireForm(o) : undefined))])));
        }
      }
    } finally {
      busy = false;
    }
  }, 250);
  follower.unref();
}

test.before(async () => {
  const missing = flaggerRigMissing();
  if (missing) throw new Error(missing);
  const up = lab(P, ['up']);
  if (up.code !== 0) throw new Error(`lab up failed (${up.code}):\n${up.err}\n${up.out}`);
  const kinds: Array<[string, string]> = [['apps/v1', 'Deployment'], ['v1', 'Service'], ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1', 'DestinationRule']];
  const versionsBefore = await versionsOf(kube(P), kinds);
  const cli = lab(P, ['exercise', 'canary', '--json', 'out/no-flagger.json']);
  withoutFlagger = { ...cli, versionsBefore, versionsAfter: await versionsOf(kube(P), kinds) };
  if (existsSync(path.join(P.root, 'out', 'no-flagger.json'))) withoutFlagger.json = JSON.parse(readFileSync(path.join(P.root, 'out', 'no-flagger.json'), 'utf8')) as ExerciseReport;
  const cfg = loadConfig({ root: P.root, env: { ...P.env }, envFile: path.join(P.root, '.env') });
  const out = memoryOutput();
  ctx = createContext({ cfg, log: out.log, status: out.status, run: new ZxRunner(), flags: {} });
  rig = await startFlaggerRig({ kubeconfig: P.kubeconfig, context: P.context, namespace: 'sock-shop', target: 'front-end', seed: 11, watchNamespace: 'sock-shop' });
  pristine = await labState();
  follow();
});

test.after.always(async () => {
  clearInterval(follower);
  await rig?.stop();
  lab(P, ['down', '--purge', '--yes']);
});

/** The exercise on the sim project, its JSON and JUnit written (the JUnit validated). */
async function runOnSim(t: ExecutionContext, name: string, p: typeof plan, overrunMs = TIMING.overrunMs): Promise<{ report: ExerciseReport; flaggerLog: string }> {
  plan = p;
  const logFrom = rig!.flagger.logs().length;
  const report = await runExercise({
    exercise: makeCanary({ ...TIMING, overrunMs }, () => name, rigCanary), ops: createMeshOps(ctx), provider: 'sim', dataPlane: false, keep: false,
    checkReady: (needs) => checkNeeds(ctx, needs), installed: (s) => installedStep(ctx, s),
  });
  mkdirSync(path.join(P.root, 'out'), { recursive: true });
  writeFileSync(path.join(P.root, 'out', `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const xml = path.join(P.root, 'out', `${name}.xml`);
  writeFileSync(xml, toJUnit([report]));
  const lint = spawnSync('xmllint', ['--noout', '--schema', XSD, xml], { encoding: 'utf8' });
  if (lint.error) throw new Error(`xmllint is required (${lint.error.message}) — apt-get install -y libxml2-utils`);
  t.is(lint.status, 0, lint.stderr);
  for (const w of watches(report)) t.log(`${name}: ${w.final.phase} ${secs(w.outcomeMs === null || w.startedMs === null ? null : w.outcomeMs - w.startedMs)} after Progressing, ${secs(w.outcomeMs)} after the change\n${w.lines.join('\n')}`);
  const flaggerLog = rig!.flagger.logs().slice(logFrom);
  if (report.status !== 'pass') t.log(formatExerciseReport(report), flaggerLog.slice(-4000));
  return { report, flaggerLog };
}

const secs = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const watches = (r: ExerciseReport) => r.steps.find((s) => s.name === 'act')?.actions.filter((a) => a.title.startsWith('until Canary front-end has an outcome')).map((a) => a.data as CanaryWatch) ?? [];
const assertions = (r: ExerciseReport, step: string) => r.steps.find((s) => s.name === step)?.assertions ?? [];

test.serial('without a Flagger: `lab exercise canary` on sim exits 0, every canary assertion skipped with the reason, not one object written', (t) => {
  const w = withoutFlagger!;
  t.is(w.code, 0, `${w.err}\n${w.out}`);
  const asserted = w.json!.steps.find((s) => s.name === 'assert')!.assertions;
  t.is(asserted.length, 10);
  t.true(asserted.every((a) => a.status === 'skipped' && /^skipped \(sim\): Flagger is not installed \(no canaries\.flagger\.app CRD\)/.test(a.reason!)), JSON.stringify(asserted[0]));
  t.deepEqual(w.versionsAfter, w.versionsBefore, 'no Deployment, Service or route changed');
  t.regex(w.out, /RESULT: PASS canary — \d+ passed, 0 failed, \d+ skipped/);
});

const WHY = { faulty: /Halt front-end\.sock-shop advancement success rate \d+\.\d+% < 99%/, slow: /Halt front-end\.sock-shop advancement request duration [\d.]+m?s > 500ms/ };

for (const [name, faulty] of [['faulty-5xx', 'faulty'], ['faulty-slow', 'slow']] as const) {
  test.serial(`${name}: healthy change promoted in steps, the ${faulty} one rolled back, every assertion passes, the lab as it was`, async (t) => {
    const { report: r, flaggerLog } = await runOnSim(t, name, { healthy: 'healthy', faulty });
    t.is(r.status, 'pass', formatExerciseReport(r));
    t.deepEqual(r.steps.map((s) => [s.name, s.status]), [['ready', 'skipped'], ['setup', 'pass'], ['act', 'skipped'], ['assert', 'pass'], ['diagnose', 'skipped'], ['cleanup', 'pass']],
      'ready: the chart steps are skipped on sim (archives not cached), act: the gateway stream is skipped; the Flagger parts ran');
    t.is(assertions(r, 'assert').length, 10);
    t.true(assertions(r, 'assert').every((a) => a.status === 'pass'));
    t.true(assertions(r, 'cleanup').every((a) => a.status === 'pass'));
    t.deepEqual(await labState(), pristine, 'spec, labels and annotations of every object as before; Flagger\'s objects gone');
    t.regex(rig!.loadtester.logs(), /hey -z 1m -q 5 -c 2 http:\/\/front-end-canary\.sock-shop\/catalogue/, 'the load-test webhook reached the real loadtester');
    t.regex(flaggerLog, WHY[faulty], `Flagger halted the ${faulty} canary for the ${faulty === 'slow' ? 'duration' : 'success rate'}`);
  });
}

test.serial('what Flagger wrote when it initialised is what lab/exercises/canary-routing.ts says (the objects istioctl analyze checks)', (t) => {
  t.truthy(initialised, 'seen Initialized');
  const sock = renderSockShop();
  const lab = (r: ObjRef) => sock.find((o) => describeRef(refOf(o)) === describeRef(r))!;
  const predicted = new Map(flaggerObjects(rigCanary(), lab(TARGET_REF), lab(SERVICE_REF)).map((o) => [describeRef(refOf(o)), o]));
  const spec = (o: KubernetesObject | undefined) => (o as { spec?: Record<string, unknown> } | undefined)?.spec;
  t.deepEqual(spec(initialised![describeRef(LAB_VS_REF)]), spec(predicted.get(describeRef(LAB_VS_REF))), 'the VirtualService front-end Flagger took over');
  for (const dr of ['front-end-primary', 'front-end-canary']) t.deepEqual(spec(initialised![`DestinationRule/sock-shop/${dr}`]), spec(predicted.get(`DestinationRule/sock-shop/${dr}`)), dr);
  for (const svc of ['front-end', 'front-end-primary', 'front-end-canary']) {
    const real = initialised![`Service/sock-shop/${svc}`] as V1Service;
    const want = predicted.get(`Service/sock-shop/${svc}`) as V1Service;
    t.deepEqual([real.spec?.selector, real.spec?.ports?.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol }))], [want.spec?.selector, want.spec?.ports], svc);
  }
  const primary = initialised![describeRef(PRIMARY_REF)] as V1Deployment;
  t.deepEqual(primary.spec?.selector, { matchLabels: { app: 'front-end-primary' } });
  t.is(primary.spec?.template.metadata?.labels?.app, 'front-end-primary');
  t.truthy(primary.spec?.template.metadata?.annotations?.['flagger-id']);
  t.true(initialised![describeRef(LAB_VS_REF)]!.metadata!.annotations!['flagger.kubernetes.io/original-configuration'].includes('"subset":"v1"'), 'the lab\'s route kept in the annotation');
});

test.serial('inverted (the healthy change answers 5xx, the faulty one is healthy): every outcome assertion fails, as Flagger\'s outcome is the other one', async (t) => {
  const { report: r } = await runOnSim(t, 'inverted', { healthy: 'faulty', faulty: 'healthy' }, 120_000);
  t.is(r.status, 'fail');
  const failed = assertions(r, 'assert').filter((a) => a.status === 'fail').map((a) => a.name);
  t.deepEqual(failed, [
    'healthy change: Canary front-end Succeeded within 180 s',
    'healthy change: condition Promoted is True (Succeeded)',
    'healthy change: canaryWeight rose in steps of 10 to 50',
    'healthy change: front-end-primary runs the new template',
    'faulty change: Canary front-end Failed within 60 s',
    'faulty change: condition Promoted is False (Failed)',
    'faulty change: front-end-primary unchanged',
  ]);
  const [healthy, faulty] = watches(r);
  t.deepEqual([healthy.final.phase, faulty.final.phase], ['Failed', 'Succeeded']);
  t.true(assertions(r, 'cleanup').every((a) => a.status === 'pass'), 'and the lab is still put back');
  t.deepEqual(await labState(), pristine);
});
