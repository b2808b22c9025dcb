// The cluster's lifecycle on a real control plane (sim): a changed spec is refused, `up --recreate`
// replaces the cluster and records the new spec through a fresh client (the old one points at the
// deleted API server), and the next `up` has nothing to change. A same-named cluster the lab did not
// create is never replaced or deleted. The active-lab record tells status where the lab is, but not
// which provider `up`/`plan` use.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { V1ConfigMap, V1Node } from '@kubernetes/client-node';
import { bringUp, kube, lab, simProject, tearDown } from './harness.ts';

const P = simProject(`sim-life-${process.pid.toString(36)}`);

test.before(() => bringUp(P));

test.after.always(() => tearDown(P));

const SPEC = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'cloud-native-lab' };

test.serial('a changed spec is refused with the difference; --recreate replaces the cluster; the next up changes nothing', async (t) => {
  const serverBefore = kube(P).kc.getCurrentCluster()?.server;
  const refused = lab(P, ['up', '--workers', '5']);
  t.is(refused.code, 1);
  t.regex(refused.err, /cluster sim-life-\w+ exists with a different spec; re-run with --recreate/);
  t.regex(refused.err, /workers: 4 → 5/);

  const recreated = lab(P, ['up', '--workers', '5', '--recreate']);
  t.is(recreated.code, 0, recreated.err);
  const k = kube(P);
  t.not(k.kc.getCurrentCluster()?.server, serverBefore, 'a new API server port, as kind gives every new cluster');
  t.is((await k.list<V1Node>('v1', 'Node')).length, 6, 'the new cluster has the new shape');
  const cm = await k.get<V1ConfigMap>(SPEC);
  t.is(JSON.parse(cm!.data!.spec).workers, 5, 'the new spec was written to the new cluster');
  t.deepEqual(readdirSync(path.join(P.root, '.lab')).filter((f) => f.startsWith('creating-')), [], 'no "creating" marker left behind');

  const again = lab(P, ['up', '--workers', '5']);
  t.is(again.code, 0, again.err);
  t.regex(again.out, /Nothing to change/);
});

test.serial('a same-named cluster the lab did not create: up, up --recreate and down all refuse and touch nothing', async (t) => {
  const k = kube(P);
  const cm = (await k.get<V1ConfigMap>(SPEC))!;
  await k.delete(SPEC);
  try {
    for (const args of [['up', '--workers', '5'], ['up', '--workers', '5', '--recreate']]) {
      const r = lab(P, args);
      t.is(r.code, 1, args.join(' '));
      t.regex(r.err, /a sim cluster named sim-life-\w+ exists, but the lab did not create it, so it will not use, replace or delete it: it has no ConfigMap kube-system\/cloud-native-lab/);
      t.regex(r.err, /Set LAB_CLUSTER_NAME to another name, or, if that cluster is yours to throw away, delete it yourself: KWOK_WORKDIR=/);
    }
    const down = lab(P, ['down']);
    t.is(down.code, 1);
    t.regex(down.err, /refusing to delete sim cluster sim-life-\w+: the lab did not create it/);
    t.is((await kube(P).list<V1Node>('v1', 'Node')).length, 6, 'the cluster is still there');
  } finally {
    const restored: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: SPEC.name, namespace: SPEC.namespace, labels: cm.metadata!.labels }, data: cm.data };
    await kube(P).apply([restored]);
  }
  t.is(lab(P, ['up', '--workers', '5']).code, 0, 'with its record back it is the lab\'s again');
});

test.serial('the active-lab record: status follows it, up/plan do not (and say another lab is up)', (t) => {
  const bare = { ...P, env: {} };
  const status = lab(bare, ['status', '--json']);
  t.is(status.code, 0, status.err);
  t.is(JSON.parse(status.out).cluster.provider, 'sim', 'status finds the sim lab from the record');
  const plan = lab(bare, ['plan']);
  t.is(plan.code, 0, plan.err);
  t.regex(plan.out, /^Plan for LAB_PROVIDER=kind, cluster lab,/, 'plan is for the default provider, not the recorded one');
  t.regex(plan.err, new RegExp(`WARNING: another lab is up in this project: sim cluster ${P.name} \\(stop it with: npm run lab -- down --provider sim --name ${P.name}\\)`));
  t.true(existsSync(path.join(P.root, '.lab', 'active.json')));
});
