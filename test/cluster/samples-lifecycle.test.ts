// The samples on a real control plane (sim), through what goes wrong on a laptop: an image that
// cannot be pulled (the sim's KWOK plays ErrImagePull for tags `sim-no-such-image`, lab/testenv/
// stages.ts), a failed wait followed by another `up`, an edited eng-app.env, a changed app image
// (a Job cannot be changed in place), and a namespace or claim deleted by hand (retained PVs must
// bind to the lab's new claims, data intact, and to no other claim).
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { V1Deployment, V1Job, V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { LabStatus } from '../../lab/status.ts';
import { waitDeploymentAvailable } from '../../lab/conditions.ts';
import { SECRET_CHECKSUM_ANNOTATION } from '../../lab/samples/eng-app.ts';
import { labVolumes } from '../../lab/steps/storage-objects.ts';
import { kube, lab, requireTestenv, simProject } from './harness.ts';

const P = simProject(`sim-samples-${process.pid.toString(36)}`);
const BAD = 'docker.io/weaveworksdemos/front-end:sim-no-such-image';

test.before(() => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
});

test.after.always(() => {
  lab(P, ['down', '--purge', '--yes']);
});

const job = async () => (await kube(P).get<V1Job>({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'eng-app', name: 'eng-app-db-init-job' }))!;
const dep = async (name: string) => (await kube(P).get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'eng-app', name }))!;

test.serial('an image that cannot be pulled ends the wait at once, naming the image; the next up is not "unchanged"; status and exercises say not ready', (t) => {
  const first = lab(P, ['up'], { LAB_FRONTEND_V2_IMAGE: BAD });
  t.is(first.code, 1, first.err);
  t.regex(first.err, new RegExp(`ERROR: step samples: deployment sock-shop/front-end-v2 cannot start: image ${BAD} cannot be pulled \\(ErrImagePull\\)`));
  t.regex(first.err, /container front-end-v2: ErrImagePull — failed to pull and unpack image .*: not found/);
  t.notRegex(first.err, /timed out/, 'it did not wait for the timeout');

  const again = lab(P, ['up'], { LAB_FRONTEND_V2_IMAGE: BAD });
  t.is(again.code, 1);
  t.notRegex(again.err, /Sample apps: sock-shop and eng_app \(unchanged\)/);
  const st = JSON.parse(lab(P, ['status', '--json'], { LAB_FRONTEND_V2_IMAGE: BAD }).out) as LabStatus;
  t.is(st.components.find((c) => c.step === 'samples')?.state, 'not ready');
  const ex = lab(P, ['exercise', 'traffic-split'], { LAB_FRONTEND_V2_IMAGE: BAD });
  t.is(ex.code, 1);
  t.regex(ex.out, /samples/);
  t.regex(ex.out, /run: npm run lab -- up --provider sim --name sim-samples-\w+ \(it also puts back/, 'the fix names this lab, not the default one');
});

test.serial('with the image fixed, up converges and a second up changes nothing', (t) => {
  const fixed = lab(P, ['up']);
  t.is(fixed.code, 0, fixed.err);
  const again = lab(P, ['up']);
  t.regex(again.out, /Nothing to change/, again.err);
});

test.serial('a bad image on a running lab: the old pod stays up (still Available) but the rollout is not done — up fails, status says so', (t) => {
  const r = lab(P, ['up'], { LAB_FRONTEND_V2_IMAGE: BAD });
  t.is(r.code, 1, r.err);
  t.regex(r.err, new RegExp(`cannot start: image ${BAD} cannot be pulled`));
  const st = JSON.parse(lab(P, ['status', '--json'], { LAB_FRONTEND_V2_IMAGE: BAD }).out) as LabStatus;
  t.regex(st.components.find((c) => c.step === 'samples')?.detail ?? '', /Deployment\/sock-shop\/front-end-v2 not rolled out \(a new version is not ready\)/);
  t.is(lab(P, ['up']).code, 0, 'back to the good image');
});

test.serial('edited eng-app.env: seed eng-app rolls the pods that read the Secret and re-runs the Job', async (t) => {
  const before = { job: (await job()).metadata!.uid, mysql: (await dep('eng-app-mysql')).metadata!.generation, app: (await dep('eng-app-app')).metadata!.generation };
  const file = path.join(P.root, 'eng-app.env');
  const text = readFileSync(file, 'utf8');
  const edited = text.replace(/^INIT_USER_PASSWD=.*$/m, 'INIT_USER_PASSWD=a-new-one-1234');
  t.not(edited, text, 'the edit took');
  writeFileSync(file, edited);
  const r = lab(P, ['seed', 'eng-app']);
  t.is(r.code, 0, r.err);
  const [mysql, app, j] = [await dep('eng-app-mysql'), await dep('eng-app-app'), await job()];
  t.true(mysql.metadata!.generation! > before.mysql!, 'MySQL rolled');
  t.true(app.metadata!.generation! > before.app!, 'the app rolled');
  t.is(mysql.spec!.template.metadata!.annotations![SECRET_CHECKSUM_ANNOTATION], app.spec!.template.metadata!.annotations![SECRET_CHECKSUM_ANNOTATION]);
  t.not(j.metadata!.uid, before.job, 'the Job was replaced (its template is immutable)');
  t.true((j.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'));
});

test.serial('a new LAB_ENG_APP_IMAGE replaces the Job instead of failing on its immutable template', async (t) => {
  const image = 'docker.io/miyakz1192/eng_app:2';
  const r = lab(P, ['seed', 'eng-app'], { LAB_ENG_APP_IMAGE: image });
  t.is(r.code, 0, r.err);
  t.is((await job()).spec!.template.spec!.containers[0].image, image);
  t.is((await dep('eng-app-app')).spec!.template.spec!.containers[0].image, image);
  t.regex(lab(P, ['up'], { LAB_ENG_APP_IMAGE: image }).out, /Nothing to change/);
  t.is(lab(P, ['up']).code, 0, 'and back to the default image');
});

test.serial('kubectl delete ns eng-app, then lab up: the retained PVs bind to the new claims, data intact, never to another claim', async (t) => {
  const k = kube(P);
  const marker = path.join(P.root, '.lab', 'data', 'eng_app', 'ibdata1');
  writeFileSync(marker, 'the learner\'s data');
  await k.deleteAndWait({ apiVersion: 'v1', kind: 'Namespace', name: 'eng-app' }, 120_000);
  // A look-alike claim elsewhere, waiting for exactly such a free volume.
  await k.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'squatter' } }]);
  await k.apply([{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'grab', namespace: 'squatter' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'lab-nfs', resources: { requests: { storage: '10Gi' } } } } as V1PersistentVolumeClaim]);

  const r = lab(P, ['up']);
  t.is(r.code, 0, r.err);
  for (const v of labVolumes()) {
    const pvc = (await k.get<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: v.claim.namespace, name: v.claim.name }))!;
    const pv = (await k.get<V1PersistentVolume>({ apiVersion: 'v1', kind: 'PersistentVolume', name: v.name }))!;
    t.is(pvc.status?.phase, 'Bound', v.claim.name);
    t.is(pv.spec?.claimRef?.uid, pvc.metadata?.uid, `${v.name} is bound to the new ${v.claim.name}`);
  }
  t.is(readFileSync(marker, 'utf8'), 'the learner\'s data');
  const grab = await k.get<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'squatter', name: 'grab' });
  t.is(grab?.status?.phase, 'Pending', 'the lab volume went to the lab claim only');
  t.regex(lab(P, ['up']).out, /Nothing to change/);
});

test.serial('only a claim deleted (with the pods that used it): lab seed eng-app re-binds it', async (t) => {
  const k = kube(P);
  await k.deleteAndWait({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'eng-app', name: 'eng-app-mysql' }, 120_000);
  await k.deleteAndWait({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'eng-app', name: 'eng-app-pvc' }, 120_000);
  const released = await k.get<V1PersistentVolume>({ apiVersion: 'v1', kind: 'PersistentVolume', name: 'eng-app' });
  t.true(['Released', 'Bound'].includes(released?.status?.phase ?? ''), `${released?.status?.phase}`);
  const r = lab(P, ['seed', 'eng-app']);
  t.is(r.code, 0, r.err);
  const pvc = await k.get<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'eng-app', name: 'eng-app-pvc' });
  t.is(pvc?.status?.phase, 'Bound');
  t.true(existsSync(path.join(P.root, '.lab', 'data', 'eng_app', 'ibdata1')));
});

test.serial('seed eng-app --reset-data: eng_app starts over (namespace, claims re-bound, db-init again); only for eng-app', async (t) => {
  const k = kube(P);
  const nsBefore = (await k.get({ apiVersion: 'v1', kind: 'Namespace', name: 'eng-app' }))!.metadata!.uid;
  const r = lab(P, ['seed', 'eng-app', '--reset-data']);
  t.is(r.code, 0, r.err);
  t.regex(r.err, /empty eng_app\/ from inside the cluster: skipped \(sim\): needs a data plane/);
  t.not((await k.get({ apiVersion: 'v1', kind: 'Namespace', name: 'eng-app' }))!.metadata!.uid, nsBefore);
  for (const v of labVolumes()) {
    const pvc = await k.get<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: v.claim.namespace, name: v.claim.name });
    t.is(pvc?.status?.phase, 'Bound', v.claim.name);
  }
  t.true(((await job()).status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'));
  const both = lab(P, ['seed', '--reset-data']);
  t.is(both.code, 2);
  t.regex(both.err, /--reset-data resets eng_app's MySQL only/);
});

test.serial('a crash loop is reported as soon as it appears, with the last log lines (or why they cannot be read), and named when the wait ends', async (t) => {
  const k = kube(P);
  await k.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crashing' } }]);
  const d: V1Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'crasher', namespace: 'crashing' },
    spec: { selector: { matchLabels: { app: 'crasher' } }, template: { metadata: { labels: { app: 'crasher' } }, spec: { nodeSelector: { 'node.kubernetes.io/nodegroup': 'app' }, containers: [{ name: 'c', image: 'docker.io/library/busybox:sim-crashloop' }] } } },
  };
  await k.apply([d]);
  const reports: string[] = [];
  const t0 = Date.now();
  const err = await t.throwsAsync(waitDeploymentAvailable(k, 'crashing', 'crasher', 8000, { report: (l) => reports.push(`${Date.now() - t0}ms ${l}`) }));
  t.is(reports.length, 1, reports.join('\n'));
  t.regex(reports[0], /deployment crashing\/crasher: pod crasher-\S+ container c: CrashLoopBackOff \(restarted 3×\) — back-off 40s restarting failed container=c pod=crasher-/);
  t.regex(reports[0], /last log lines:\n {4}\(not readable: reading the log of crashing\/crasher-/, 'sim has no kubelet to serve logs: said so');
  t.regex(err!.message, /timed out after 8s waiting for deployment crashing\/crasher to be rolled out and Available/, 'a crash loop may recover: the wait goes on');
  t.regex((err as { detail?: string }).detail ?? '', /container c: CrashLoopBackOff/);
});
