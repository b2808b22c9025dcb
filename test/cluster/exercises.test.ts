// The exercises through the real CLI against their own sim cluster (real kube-apiserver, etcd,
// controller-manager, scheduler; KWOK nodes): setup and cleanup run for real, the traffic phase is
// reported as skipped (sim) in the summary, the JSON and the JUnit (validated by xmllint against
// fixtures/exercises/junit.xsd); cleanup restores the objects exactly; --keep leaves the intended
// weights and policies, which `lab up` then puts back.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { breakerPolicy } from '../../lab/exercises/circuit-breaker.ts';
import { LOKI_SKIP_REASON } from '../../lab/exercises/observability.ts';
import { CARTS_REF, DR_REF, GATEWAY_REF, phaseObject, VS_REF } from '../../lab/exercises/front-end-mesh.ts';
import { toWireForm } from '../../lab/exercises/mesh-ops.ts';
import { SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import { CONTROLLER_ANNOTATIONS } from '../../lab/exercises/snapshot.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import type { ObjRef } from '../../lab/kube.ts';
import { REPO } from '../helpers.ts';
import { kube, lab, requireTestenv, simProject, versionsOf } from './harness.ts';

const P = simProject(`ex-${process.pid.toString(36)}`);
const XSD = path.join(REPO, 'fixtures', 'exercises', 'junit.xsd');
const NAMES = ['traffic-split', 'circuit-breaker', 'blue-green', 'fault-injection', 'retries-timeouts'];
const REFS = [VS_REF, DR_REF, CARTS_REF, GATEWAY_REF];

/** spec + labels + annotations (minus what controllers write) of each object, as the API has it. */
async function stateOf(refs: ObjRef[] = REFS): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const ref of refs) {
    const o = await kube(P).get(ref);
    const w = (o ? toWireForm(o) : undefined) as (KubernetesObject & { spec?: unknown }) | undefined;
    const annotations = { ...(w?.metadata?.annotations ?? {}) };
    for (const k of CONTROLLER_ANNOTATIONS) delete annotations[k];
    out[`${ref.kind}/${ref.name}`] = w ? { spec: w.spec, labels: w.metadata?.labels ?? {}, annotations } : null;
  }
  return out;
}
const specOf = async (ref: ObjRef) => ((await kube(P).get(ref)) as unknown as { spec: unknown }).spec;
const rvOf = async (ref: ObjRef) => Number((await kube(P).get(ref))!.metadata!.resourceVersion);

function xmllint(args: string[]) {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is required (${r.error.message}) — install it with: apt-get install -y libxml2-utils`);
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

let pristine: Record<string, unknown> = {};

test.before(async () => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
  const r = lab(P, ['up']);
  if (r.code !== 0) throw new Error(`lab up failed (${r.code}):\n${r.err}\n${r.out}`);
  pristine = await stateOf();
});

test.after.always(() => {
  lab(P, ['down', '--purge', '--yes']);
});

for (const name of NAMES) {
  test.serial(`${name}: exit 0 on sim; traffic skipped (sim) in summary, JSON and JUnit; every object restored exactly`, async (t) => {
    const before = await stateOf();
    const vsVersion = await rvOf(VS_REF);
    const r = lab(P, ['exercise', name, '--json', `out/${name}.json`, '--junit', `out/${name}.xml`]);
    t.is(r.code, 0, `${r.err}\n${r.out}`);
    t.deepEqual(await stateOf(), before, 'spec, labels and annotations are back');
    t.true((await rvOf(VS_REF)) >= vsVersion + 2, 'setup and cleanup really wrote');

    const json = JSON.parse(readFileSync(path.join(P.root, 'out', `${name}.json`), 'utf8')) as ExerciseReport;
    const step = (s: string) => json.steps.find((x) => x.name === s)!;
    t.deepEqual(json.steps.map((s) => [s.name, s.status]), [['ready', 'pass'], ['setup', 'pass'], ['act', 'skipped'], ['assert', 'skipped'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
    t.deepEqual([json.status, json.provider, json.dataPlane], ['pass', 'sim', false]);
    t.is(step('act').reason, SIM_SKIP_REASON);
    t.true(step('act').actions.filter((a) => a.kind === 'traffic').every((a) => a.status === 'skipped' && a.reason === SIM_SKIP_REASON));
    t.true(step('assert').assertions.length >= 5);
    t.true(step('assert').assertions.every((a) => a.status === 'skipped' && a.reason === SIM_SKIP_REASON && a.actual === null));
    t.true(step('setup').assertions.every((a) => a.status === 'pass' && a.actual === 'equal'));
    t.true(step('cleanup').assertions.every((a) => a.status === 'pass' && /(restored exactly|\(created by the exercise\) deleted)$/.test(a.name)));
    t.is(json.counts.failed, 0);
    t.is(json.counts.skipped, step('assert').assertions.length);
    t.regex(r.out, new RegExp(`RESULT: PASS ${name} — ${json.counts.passed} passed, 0 failed, ${json.counts.skipped} skipped \\(sim\\): needs a data plane`));
    t.regex(r.out, /\n {2}- act {7}skipped \(sim\): needs a data plane\n/);

    const xml = path.join(P.root, 'out', `${name}.xml`);
    const valid = xmllint(['--noout', '--schema', XSD, xml]);
    t.is(valid.code, 0, valid.err);
    t.is(xmllint(['--xpath', `string(//testcase[@classname="${name}" and @name="act"]/skipped/@message)`, xml]).out, SIM_SKIP_REASON);
    t.is(Number(xmllint(['--xpath', `count(//testcase[@classname="${name}.assert"]/skipped)`, xml]).out), step('assert').assertions.length);
    t.is(Number(xmllint(['--xpath', 'count(//failure | //error)', xml]).out), 0);
  });
}

// observability changes nothing and reaches its backends only through port-forwards, which need
// pods: on sim it sends nothing and opens no forward; its needs that sim skips (a chart archive
// not cached) are skipped needs, not missing ones.
// mtls on sim: the API parts for real (its namespace and client pods created and made Ready by
// KWOK, the PeerAuthentication applied and read back), requests and certificate skipped, and
// everything it made gone afterwards.
test.serial('mtls: exit 0 on sim; its namespace, client pods and PeerAuthentication made and removed; requests and certificate skipped', async (t) => {
  const r = lab(P, ['exercise', 'mtls', '--json', 'out/mtls.json', '--junit', 'out/mtls.xml']);
  t.is(r.code, 0, `${r.err}\n${r.out}`);
  const json = JSON.parse(readFileSync(path.join(P.root, 'out', 'mtls.json'), 'utf8')) as ExerciseReport;
  const step = (s: string) => json.steps.find((x) => x.name === s)!;
  t.deepEqual(json.steps.slice(1).map((s) => [s.name, s.status]), [['setup', 'pass'], ['act', 'skipped'], ['assert', 'skipped'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
  t.true(step('setup').actions.some((a) => a.kind === 'wait' && a.status === 'pass' && a.title.startsWith('until both client pods are Running and Ready')), 'KWOK made the clients Ready');
  t.true(step('act').assertions.some((a) => a.status === 'pass' && a.name.startsWith('PeerAuthentication/sock-shop/default') && a.actual === 'equal'), 'STRICT applied and read back');
  t.true(step('act').actions.filter((a) => a.kind === 'traffic').every((a) => a.status === 'skipped' && a.reason === SIM_SKIP_REASON));
  t.is(step('assert').assertions.length, 7);
  t.true(step('assert').assertions.every((a) => a.status === 'skipped' && a.reason === SIM_SKIP_REASON));
  t.true(step('cleanup').assertions.length === 4 && step('cleanup').assertions.every((a) => a.status === 'pass'));
  const gone = async (ref: ObjRef) => { const o = await kube(P).get(ref); return o === undefined || Boolean(o.metadata?.deletionTimestamp); };
  for (const ref of [
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', namespace: 'sock-shop', name: 'default' },
    { apiVersion: 'v1', kind: 'Pod', namespace: 'sock-shop', name: 'mtls-meshed-client' },
    { apiVersion: 'v1', kind: 'Namespace', name: 'mtls-plain' },
  ] as ObjRef[]) t.true(await gone(ref), `${ref.kind}/${ref.name} gone`);
  t.is(xmllint(['--noout', '--schema', XSD, path.join(P.root, 'out', 'mtls.xml')]).code, 0);
});

test.serial('observability: exit 0 on sim; traffic, waits and all four assertions skipped visibly (Loki: not in this profile); nothing written; no port-forward', async (t) => {
  const kinds: Array<[string, string]> = [['apps/v1', 'Deployment'], ['v1', 'Service'], ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1', 'DestinationRule']];
  const before = await versionsOf(kube(P), kinds);
  const r = lab(P, ['exercise', 'observability', '--json', 'out/observability.json', '--junit', 'out/observability.xml']);
  t.is(r.code, 0, `${r.err}\n${r.out}`);
  t.deepEqual(await versionsOf(kube(P), kinds), before, 'not one object was written');
  const json = JSON.parse(readFileSync(path.join(P.root, 'out', 'observability.json'), 'utf8')) as ExerciseReport;
  const step = (s: string) => json.steps.find((x) => x.name === s)!;
  t.deepEqual(json.steps.slice(1).map((s) => [s.name, s.status]), [['setup', 'pass'], ['act', 'skipped'], ['assert', 'skipped'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
  t.deepEqual([json.status, json.dataPlane], ['pass', false]);
  for (const a of step('ready').assertions) {
    if (a.name.includes('kube-prometheus-stack') || a.name.includes('jaeger')) t.true(a.status === 'pass' || (a.status === 'skipped' && /^skipped \(sim\): chart archive not cached/.test(a.reason!)), JSON.stringify(a));
    else t.is(a.status, 'pass', a.name);
  }
  t.true(step('act').actions.length === 4 && step('act').actions.every((a) => a.kind === 'traffic' && a.status === 'skipped' && a.reason === SIM_SKIP_REASON));
  t.deepEqual(step('assert').assertions.map((a) => [a.name.split(':')[0], a.status, a.reason]), [
    ['traffic', 'skipped', SIM_SKIP_REASON], ['logs', 'skipped', LOKI_SKIP_REASON], ['traces', 'skipped', SIM_SKIP_REASON], ['metrics', 'skipped', SIM_SKIP_REASON],
  ]);
  t.deepEqual(step('cleanup').actions, []);
  t.regex(r.out, /RESULT: PASS observability — \d+ passed, 0 failed, \d+ skipped \(sim; each line above says why\)/, 'the logs are skipped for another reason than the rest');
  t.regex(r.out, /- logs: each request's access-log line .*: Loki is installed with LAB_PROFILE=full/);
  const forwards = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('port-forward') && l.includes(P.kubeconfig));
  t.deepEqual(forwards, [], 'no kubectl port-forward left running');
  const xml = path.join(P.root, 'out', 'observability.xml');
  const valid = xmllint(['--noout', '--schema', XSD, xml]);
  t.is(valid.code, 0, valid.err);
  t.is(Number(xmllint(['--xpath', 'count(//testcase[@classname="observability.assert"]/skipped)', xml]).out), 4);
  t.is(Number(xmllint(['--xpath', 'count(//failure | //error)', xml]).out), 0);
});

test.serial('after the exercises, the lab has no drift: a second lab up changes nothing', (t) => {
  const r = lab(P, ['up']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /Nothing to change/);
});

test.serial('traffic-split --keep: the cluster holds 80/20 with x-lab-version headers; lab up puts 100/0 back', async (t) => {
  const r = lab(P, ['exercise', 'traffic-split', '--keep']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /- cleanup {3}--keep/);
  const vs = (await specOf(VS_REF)) as { http: Array<{ route: Array<{ weight: number; destination: { subset: string }; headers: unknown }> }> };
  t.deepEqual(vs, phaseObject('traffic-split', '80-20', 'VirtualService').spec);
  t.deepEqual(vs.http[0].route.map((x) => [x.destination.subset, x.weight, x.headers]), [
    ['v1', 80, { response: { set: { 'x-lab-version': 'v1' } } }],
    ['v2', 20, { response: { set: { 'x-lab-version': 'v2' } } }],
  ]);
  t.deepEqual(await specOf(DR_REF), phaseObject('traffic-split', '80-20', 'DestinationRule').spec);
  const blocked = lab(P, ['exercise', 'blue-green']);
  t.is(blocked.code, 1, 'the next exercise refuses a lab that differs from what up installs');
  t.regex(blocked.out, /samples: VirtualService\/sock-shop\/front-end differs/);
  t.is(lab(P, ['up']).code, 0);
  t.deepEqual(await stateOf(), pristine);
});

test.serial('circuit-breaker --keep: the DestinationRule holds the connection pool and outlier detection; carts is back; lab up restores', async (t) => {
  const r = lab(P, ['exercise', 'circuit-breaker', '--keep']);
  t.is(r.code, 0, r.err);
  const dr = (await specOf(DR_REF)) as { trafficPolicy: ReturnType<typeof breakerPolicy>['policy']; subsets: unknown };
  t.deepEqual(dr.trafficPolicy, breakerPolicy().policy);
  t.deepEqual(dr.trafficPolicy.connectionPool, { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } });
  t.deepEqual(dr.trafficPolicy.outlierDetection, { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '30s', maxEjectionPercent: 100 });
  t.deepEqual(await specOf(VS_REF), phaseObject('circuit-breaker', 'all-to-v1', 'VirtualService').spec);
  const gw = (await specOf(GATEWAY_REF)) as { template: { metadata: { annotations: Record<string, string> } } };
  t.regex(gw.template.metadata.annotations['proxy.istio.io/config'], /proxyStatsMatcher:\n {2}inclusionSuffixes:\n {4}- upstream_rq_pending_overflow/);
  t.is(((await specOf(CARTS_REF)) as { replicas: number }).replicas, 1, 'act brought carts back');
  t.regex(r.out, /✓ change {2}take carts down: scale it to 0/, 'the carts-down API steps ran on sim');
  t.regex(r.out, /✓ wait {4}until the carts Service has no ready endpoint/);
  t.regex(r.out, /- traffic 30 requests to \/cart while carts is down: skipped \(sim\): needs a data plane/);
  t.is(lab(P, ['up']).code, 0);
  t.deepEqual(await stateOf(), pristine, 'lab up put the samples and the gateway back');
});

test.serial('blue-green --keep: the VirtualService holds 0/100; lab up restores', async (t) => {
  const r = lab(P, ['exercise', 'blue-green', '--keep']);
  t.is(r.code, 0, r.err);
  t.deepEqual(await specOf(VS_REF), phaseObject('blue-green', 'green', 'VirtualService').spec);
  t.regex(r.out, /✓ change {2}switch front-end to v2 \(green\): 0\/100/);
  t.is(lab(P, ['up']).code, 0);
  t.deepEqual(await stateOf(), pristine);
});
