// The persistence exercise on its own sim cluster (real kube-apiserver, controller-manager with the
// PV controller, scheduler; KWOK makes MySQL's pods Ready): through the real CLI, the MySQL pod is
// deleted and replaced on the same claim and PV, and `lab down` + `lab up` (in the exercise's own
// process, with its settings) bring a new cluster whose claim binds to the PV of the same name and
// path; the SQL and the files are skipped (sim). --no-relaunch skips part (2). Inverted, for real:
// MySQL's data volume switched to an emptyDir fails the chain assertions. Measured times to t.log.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Deployment, V1PersistentVolume } from '@kubernetes/client-node';
import { loadConfig } from '../../lab/config.ts';
import { createContext } from '../../lab/context.ts';
import { createMeshOps } from '../../lab/exercises/mesh-ops.ts';
import { makePersistence, PERSISTENCE_TIMING } from '../../lab/exercises/persistence.ts';
import { NO_RELAUNCH_REASON } from '../../lab/exercises/persistence-specs.ts';
import { checkNeeds } from '../../lab/exercises/readiness.ts';
import { formatExerciseReport } from '../../lab/exercises/report-text.ts';
import { runExercise, SIM_SKIP_REASON } from '../../lab/exercises/runner.ts';
import type { ExerciseReport } from '../../lab/exercises/types.ts';
import { memoryOutput } from '../../lab/log.ts';
import { ZxRunner } from '../../lab/run.ts';
import { assertionsOf, failedNames, one } from '../exercises/report-picks.ts';
import { bringUp, kube, lab, simProject, tearDown } from './harness.ts';

const P = simProject(`pers-${process.pid.toString(36)}`);
const PV = { apiVersion: 'v1', kind: 'PersistentVolume', name: 'eng-app' };
const MYSQL = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'eng-app', name: 'eng-app-mysql' };

const pvNow = async () => {
  const pv = (await kube(P).get<V1PersistentVolume>(PV))!;
  return { uid: pv.metadata!.uid, path: pv.spec!.hostPath!.path, phase: pv.status!.phase, claim: `${pv.spec!.claimRef!.namespace}/${pv.spec!.claimRef!.name}` };
};
const report = (file: string) => JSON.parse(readFileSync(path.join(P.root, 'out', file), 'utf8')) as ExerciseReport;

test.before(() => bringUp(P));

test.after.always(() => tearDown(P));

test.serial('persistence on sim through the CLI: the pod replaced on the same PV; down + up re-binds the claim to the PV of the same name and path; SQL and files skipped (sim)', async (t) => {
  const before = await pvNow();
  const r = lab(P, ['exercise', 'persistence', '--json', 'out/persistence.json']);
  t.is(r.code, 0, `${r.err}\n${r.out}`);
  t.regex(r.out, /RESULT: PASS persistence — 6 passed, 0 failed, 6 skipped/);
  t.regex(r.err, /Deleted cluster/, 'lab down ran');
  t.notRegex(r.out, /Lab .* is up/, "up's summary goes to stderr, not into the report");
  const j = report('persistence.json');
  const passed = assertionsOf(j, 'assert').filter((a) => a.status === 'pass').map((a) => a.name.split(':')[0].split(' (')[0]);
  t.deepEqual(passed, ['claim eng-app/eng-app-pvc Bound to PV eng-app', 'deleting the MySQL pod', "after the pod's deletion", 'after lab down + lab up']);
  t.true(assertionsOf(j).filter((a) => a.status === 'skipped').every((a) => a.reason === SIM_SKIP_REASON));
  const moved = one(j, 'deleting the MySQL pod');
  t.not(moved.numbers.oldPod, moved.numbers.newPod);
  const relaunched = one(j, 'after lab down + lab up: claim');
  t.log(`measured: the replacement pod Ready ${moved.numbers.ms} ms after the deletion; lab down ${relaunched.numbers.downMs} ms, lab up ${relaunched.numbers.upMs} ms, MySQL Ready ${relaunched.numbers.readyMs} ms later`);
  const after = await pvNow();
  t.deepEqual([after.path, after.phase, after.claim], [before.path, 'Bound', before.claim]);
  t.not(after.uid, before.uid, 'a new cluster: the PV is a new object of the same name and path');
  t.is(relaunched.numbers.pvUid, after.uid ?? null);
  const again = lab(P, ['up']);
  t.is(again.code, 0, again.err);
  t.regex(again.out, /Nothing to change/, 'the lab the exercise re-created is the lab up makes');
});

test.serial('persistence on sim with --no-relaunch: part (2) skipped with its reason, the cluster kept', async (t) => {
  const before = await pvNow();
  const r = lab(P, ['exercise', 'persistence', '--no-relaunch', '--json', 'out/no-relaunch.json']);
  t.is(r.code, 0, `${r.err}\n${r.out}`);
  t.notRegex(r.err, /Deleted cluster/);
  const j = report('no-relaunch.json');
  t.deepEqual(assertionsOf(j, 'assert').filter((a) => a.reason === NO_RELAUNCH_REASON).length, 3);
  t.is((await pvNow()).uid, before.uid);
});

test.serial('persistence on sim, inverted: MySQL on an emptyDir instead of its claim fails the chain assertions', async (t) => {
  const cfg = loadConfig({ root: P.root, env: { ...P.env }, envFile: path.join(P.root, '.env') });
  const out = memoryOutput();
  const ctx = createContext({ cfg, log: out.log, status: out.status, run: new ZxRunner(), flags: {} });
  const d = (await kube(P).get<V1Deployment>(MYSQL))!;
  const original = structuredClone(d);
  const vol = d.spec!.template.spec!.volumes!.find((v) => v.name === 'eng-app-pv')!;
  delete vol.persistentVolumeClaim;
  vol.emptyDir = {};
  await kube(P).replace(d as KubernetesObject);
  const r = await runExercise({
    exercise: makePersistence({ ...PERSISTENCE_TIMING, podReadyTimeoutMs: 15_000 }), ops: createMeshOps(ctx, { relaunch: false }), provider: 'sim', dataPlane: false, keep: false,
    checkReady: (needs) => checkNeeds(ctx, needs.filter((n) => n !== 'samples')),
  });
  t.log(formatExerciseReport(r));
  t.deepEqual(failedNames(r).map((n) => n.split(':')[0].split(' (')[0]).sort(), ["after the pod's deletion", 'claim eng-app/eng-app-pvc Bound to PV eng-app']);
  t.regex(one(r, 'mounted by the MySQL pod').actual!, /mounts no claim as eng-app-pv, not eng-app-pvc/);
  // Put the claim back as it was changed (a replace): `lab up`'s server-side apply cannot, since
  // the emptyDir belongs to another field manager (the API refuses two volume types) — see the README.
  const now = (await kube(P).get<V1Deployment>(MYSQL))!;
  await kube(P).replace({ ...original, metadata: { ...original.metadata, resourceVersion: now.metadata!.resourceVersion } } as KubernetesObject);
  const up = lab(P, ['up']);
  t.is(up.code, 0, up.err);
  t.truthy((await kube(P).get<V1Deployment>(MYSQL))!.spec!.template.spec!.volumes!.find((v) => v.name === 'eng-app-pv')!.persistentVolumeClaim, 'the claim is back');
});
