// The mtls exercise against the fake mesh with peer authentication (mtls-fake.ts) on a virtual
// clock: the honest mesh passes every assertion with its numbers and is left as found; each
// misbehaviour fails exactly the assertions meant to catch it, with the observed value; without a
// data plane (sim) the API parts run and the traffic and certificate are skipped visibly.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { runExercise, SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import { readWorkloadCert } from '../../lab/exercises/mtls-cert.ts';
import { clientObjects, parseRequestLines } from '../../lab/exercises/mtls-clients.ts';
import { SAMPLE_N } from '../../lab/exercises/mtls-specs.ts';
import { makeMtls, PEER_AUTH_REF } from '../../lab/exercises/mtls.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { UTILITY_IMAGE } from '../../lab/versions.ts';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { VALID_CERT } from './mtls-certs.ts';
import { MtlsMesh, type MtlsFakeOptions } from './mtls-fake.ts';
import { VirtualClock } from './virtual-clock.ts';
import { failedNames, one } from './report-picks.ts';

async function run(o: Omit<MtlsFakeOptions, 'clock'> = {}, dataPlane = true) {
  const clock = new VirtualClock();
  const mesh = new MtlsMesh({ clock, ...o });
  const before = new Map([...mesh.objects].map(([k, v]) => [k, structuredClone(v)]));
  const podsBefore = [...mesh.pods.keys()];
  const exercise = makeMtls({ podsReadyTimeoutMs: 5_000, enforceTimeoutMs: 10_000, goneTimeoutMs: 5_000, pollMs: 500, clock });
  const report = await runExercise({ exercise, ops: mesh, provider: dataPlane ? 'kind' : 'sim', dataPlane, keep: false, checkReady: async (n) => n.map((step) => ({ step, done: true })) });
  return { report, mesh, before, podsBefore };
}

const failed = (r: ExerciseReport) => failedNames(r);
const BASELINE = 'baseline (PERMISSIVE)';
const SIDECAR = 'the meshed client has an Envoy sidecar';
const ENFORCED = 'STRICT enforced';
const PLAIN = 'plain-text requests refused';
const MESHED = 'requests from the meshed client answered 200';
const SPIFFE = 'carries its SPIFFE id';
const VALID = 'is valid now';

test('the client manifests: the lab\'s utility image on the app node group; the plain namespace without injection', (t) => {
  const objs = clientObjects();
  const pods = objs.filter((o) => o.kind === 'Pod') as V1Pod[];
  t.deepEqual(pods.map((p) => [p.metadata?.namespace, p.spec?.containers[0].image, p.spec?.nodeSelector?.['node.kubernetes.io/nodegroup']]), [['mtls-plain', UTILITY_IMAGE, 'app'], ['sock-shop', UTILITY_IMAGE, 'app']]);
  t.is(objs[0].metadata?.labels?.['istio-injection'], 'disabled');
  t.is(objs[0].metadata?.labels?.['app.kubernetes.io/managed-by'], 'cloud-native-lab');
});

test('request lines and the certificate reader', (t) => {
  t.deepEqual(parseRequestLines('request 1 rc=0 status=200 error=-\nConnecting to x\nrequest 2 rc=1 status=- error=wget: error getting response: Connection reset by peer\n'), [
    { rc: 0, status: 200, error: null }, { rc: 1, status: null, error: 'wget: error getting response: Connection reset by peer' },
  ]);
  const b64 = Buffer.from(VALID_CERT).toString('base64');
  const c = readWorkloadCert(JSON.stringify({ dynamicActiveSecrets: [{ name: 'default', secret: { tlsCertificate: { certificateChain: { inlineBytes: b64 } } } }] }));
  t.false('problem' in c);
  if (!('problem' in c)) t.deepEqual([c.uris, c.notBeforeMs, c.serialNumber], [['spiffe://cluster.local/ns/sock-shop/sa/default'], Date.UTC(2025, 0, 1), new X509Certificate(VALID_CERT).serialNumber]);
  t.regex((readWorkloadCert('{}') as { problem: string }).problem, /no secret "default" among 0/);
  t.regex((readWorkloadCert('nope') as { problem: string }).problem, /^not JSON/);
});

test('honest mesh: every assertion passes with its numbers; objects, pods and namespace left as found', async (t) => {
  const { report, mesh, before, podsBefore } = await run();
  t.deepEqual(report.steps.map((s) => [s.name, s.status]), [['ready', 'pass'], ['setup', 'pass'], ['act', 'pass'], ['assert', 'pass'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
  t.deepEqual(failed(report), []);
  t.is(SAMPLE_N, 90);
  t.is(one(report, PLAIN).actual, `90 of 90 refused, 0 answered (statuses: none ×90; errors: wget: error getting response: Connection reset by peer ×90)`);
  t.is(one(report, PLAIN).numbers.leakUpperPct, 4.99);
  t.regex(one(report, MESHED).actual!, /^90 of 90 answered 200/);
  t.regex(one(report, ENFORCED).actual!, /^refused after \d+ ms/);
  t.true((one(report, ENFORCED).numbers.ms as number) >= 1_500);
  t.is(one(report, SPIFFE).actual, 'front-end-57dfc779cd-4z6md: URI SAN spiffe://cluster.local/ns/sock-shop/sa/default (service account default)');
  t.regex(one(report, VALID).actual!, /^Jan {2}1 00:00:00 2025 GMT → Jan {2}1 00:00:00 2035 GMT, read at 2027-/);
  t.is(one(report, 'PeerAuthentication/sock-shop/default requires mutual TLS').status, 'pass');
  for (const what of ['Pod/sock-shop/mtls-meshed-client', 'Pod/mtls-plain/mtls-plain-client', 'Namespace/mtls-plain', 'PeerAuthentication/sock-shop/default']) {
    t.is(one(report, `${what} (created by the exercise) deleted`).status, 'pass', what);
  }
  t.deepEqual([...mesh.objects.keys()].sort(), [...before.keys()].sort());
  t.deepEqual([...mesh.pods.keys()], podsBefore);
});

test('a PeerAuthentication the lab already had is restored exactly', async (t) => {
  const existing = { apiVersion: PEER_AUTH_REF.apiVersion, kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'sock-shop', labels: { team: 'shop' } }, spec: { mtls: { mode: 'PERMISSIVE' } } } as KubernetesObject;
  const { report, mesh } = await run({ existingPolicy: existing });
  t.deepEqual(failed(report), []);
  t.is(one(report, 'PeerAuthentication/sock-shop/default restored exactly').status, 'pass');
  t.deepEqual((mesh.objects.get('PeerAuthentication/sock-shop/default') as { spec?: unknown }).spec, { mtls: { mode: 'PERMISSIVE' } });
});

const cases: Array<[string, Parameters<typeof run>[0], string[], RegExp]> = [
  ['STRICT never enforced: the plain client keeps being answered', { faults: ['strict-not-enforced'] }, [ENFORCED, PLAIN], /^0 of 90 refused, 90 answered/],
  ['about 5 % of plain requests leak under STRICT (seeded)', { faults: ['partial-leak'], seed: 3 }, [PLAIN], /^\d+ of 90 refused, [1-9]\d* answered/],
  ['the plain client is refused even before STRICT', { faults: ['baseline-refused'] }, [BASELINE], /^0 of 5 answered 200/],
  ['the meshed client is refused too', { faults: ['meshed-refused'] }, [MESHED], /^0 of 90 answered 200 \(statuses: none ×90/],
  ['no sidecar injected into the meshed client', { faults: ['no-sidecar'] }, [SIDECAR], /^meshed: client; plain: client$/],
  ['a certificate with another namespace\'s SPIFFE id', { faults: ['wrong-spiffe'] }, [SPIFFE], /URI SAN spiffe:\/\/cluster\.local\/ns\/other\/sa\/default \(service account default\)$/],
  ['an expired certificate', { faults: ['expired'] }, [VALID], /^Jan {2}1 00:00:00 2020 GMT → Jan {2}1 00:00:00 2021 GMT, read at 2027-/],
  ['no default secret in the dump', { faults: ['no-cert'] }, [SPIFFE, VALID], /^no certificate \(istioctl exit 0\): no secret "default" among 1 active \(ROOTCA\)$/],
  ['istioctl proxy-config secret fails', { faults: ['secret-fails'] }, [SPIFFE, VALID], /^no certificate \(istioctl exit 1\): Error: failed to retrieve proxy secrets/],
];

for (const [title, opts, expectFail, actual] of cases) {
  test(`misbehaving: ${title} → fails ${expectFail.join(' + ')}`, async (t) => {
    const { report } = await run(opts);
    const want = expectFail.map((p) => one(report, p).name);
    t.deepEqual(failed(report).sort(), want.sort());
    t.regex(one(report, expectFail[expectFail.length - 1]).actual!, actual);
    t.is(one(report, 'Namespace/mtls-plain (created by the exercise) deleted').status, 'pass');
  });
}

test('kubectl exec failing: every traffic assertion fails with the exec error, cleanup still removes everything', async (t) => {
  const { report, mesh, podsBefore } = await run({ faults: ['exec-fails'] });
  t.deepEqual(failed(report).sort(), [one(report, BASELINE).name, one(report, ENFORCED).name, one(report, PLAIN).name, one(report, MESHED).name].sort());
  t.regex(one(report, PLAIN).actual!, /^kubectl exec into mtls-plain\/mtls-plain-client exited 1 after 0 of 90 requests: error: unable to upgrade connection/);
  t.deepEqual([...mesh.pods.keys()], podsBefore);
});

test('no data plane (sim): the policy and the pods are applied and removed; traffic and certificate skipped visibly', async (t) => {
  const { report, mesh, before } = await run({}, false);
  t.deepEqual(report.steps.map((s) => [s.name, s.status]), [['ready', 'pass'], ['setup', 'pass'], ['act', 'skipped'], ['assert', 'skipped'], ['diagnose', 'skipped'], ['cleanup', 'pass']]);
  const skipped = report.steps.find((s) => s.name === 'assert')!.assertions;
  t.is(skipped.length, 7);
  t.true(skipped.every((a) => a.status === 'skipped' && a.reason === SIM_SKIP_REASON));
  t.is(one(report, 'PeerAuthentication/sock-shop/default requires mutual TLS').status, 'pass');
  t.true(mesh.applies.includes('Pod/mtls-plain/mtls-plain-client') && mesh.applies.includes('PeerAuthentication/sock-shop/default'));
  t.deepEqual(mesh.commanded, [], 'no exec, no istioctl');
  t.deepEqual([...mesh.objects.keys()].sort(), [...before.keys()].sort());
});
