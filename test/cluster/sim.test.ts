// Integration against a real control plane (LAB_PROVIDER=sim): the real scheduler places pods by
// node group, the real PV controller binds the eng_app claims, KWOK completes pods and Jobs, a
// second `lab up` writes nothing, an interrupted `up` converges, and `lab down` leaves nothing.
import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Deployment, V1Job, V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../../lab/config-keys.ts';
import type { LabStatus } from '../../lab/status.ts';
import { labVolumes } from '../../lab/steps/storage-objects.ts';
import { spawnSync } from 'node:child_process';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { REPO } from '../helpers.ts';
import { interruptUp, kube, lab, requireTestenv, simProject, versionsOf } from './harness.ts';

const suffix = process.pid.toString(36);
const A = simProject(`sim-a-${suffix}`);
let upOutput = '';
const LAB_KINDS: Array<[string, string]> = [
  ['v1', 'Node'],
  ['v1', 'PersistentVolume'],
  ['storage.k8s.io/v1', 'StorageClass'],
  ['v1', 'ConfigMap'],
  ['v1', 'Namespace'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Secret'],
  ['v1', 'PersistentVolumeClaim'],
];

test.before(() => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
  const r = lab(A, ['up']);
  if (r.code !== 0) throw new Error(`lab up failed (${r.code}):\n${r.err}\n${r.out}`);
  upOutput = r.err;
});

test.after.always(() => {
  lab(A, ['down', '--purge', '--yes']);
});

const deployment = (ns: string, name: string, group: string, replicas = 2): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { nodeSelector: { [NODEGROUP_LABEL]: group }, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
    },
  },
});

test.serial('nodes are named like kind and carry their node groups', async (t) => {
  const nodes = await kube(A).list<V1Node>('v1', 'Node');
  const byName = Object.fromEntries(nodes.map((n) => [n.metadata!.name!, n.metadata?.labels?.[NODEGROUP_LABEL] ?? null]));
  t.deepEqual(byName, {
    [`${A.name}-control-plane`]: null,
    [`${A.name}-worker`]: 'app',
    [`${A.name}-worker2`]: 'deploy',
    [`${A.name}-worker3`]: 'ingress',
    [`${A.name}-worker4`]: 'system',
  });
});

test.serial('the real scheduler places workloads on their node group; an unknown group stays Pending', async (t) => {
  const k = kube(A);
  await k.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'it-sched' } }]);
  await k.apply([deployment('it-sched', 'gw', 'ingress'), deployment('it-sched', 'obs', 'system'), deployment('it-sched', 'nowhere', 'gpu', 1)]);
  for (const name of ['gw', 'obs']) {
    await k.waitFor<V1Deployment>('/apis/apps/v1/namespaces/it-sched/deployments', name, (d) => (d.status?.availableReplicas ?? 0) === 2, 60_000);
  }
  const pods = await k.list<V1Pod>('v1', 'Pod', { namespace: 'it-sched' });
  const where = (app: string) => [...new Set(pods.filter((p) => p.metadata?.labels?.app === app).map((p) => p.spec?.nodeName ?? 'unscheduled'))];
  t.deepEqual(where('gw'), [`${A.name}-worker3`]);
  t.deepEqual(where('obs'), [`${A.name}-worker4`]);
  t.deepEqual(where('nowhere'), ['unscheduled']);
  t.true(pods.filter((p) => p.metadata?.labels?.app === 'gw').every((p) => p.status?.phase === 'Running'), 'kwok made them Running');
});

test.serial('the eng_app claims bind to the intended PVs; a look-alike claim elsewhere does not', async (t) => {
  const k = kube(A);
  // The samples step created the eng_app claims; a competitor asks for the same class and mode.
  await k.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'intruder' } }]);
  await k.apply([
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'eng-app-pvc', namespace: 'intruder' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'lab-nfs', resources: { requests: { storage: '10Gi' } } },
    } as V1PersistentVolumeClaim,
  ]);
  for (const v of labVolumes()) {
    const pvc = await k.waitFor<V1PersistentVolumeClaim>(`/api/v1/namespaces/${v.claim.namespace}/persistentvolumeclaims`, v.claim.name, (c) => c.status?.phase === 'Bound', 60_000);
    t.is(pvc.spec?.volumeName, v.name);
    const pv = await k.get<V1PersistentVolume>({ apiVersion: 'v1', kind: 'PersistentVolume', name: v.name });
    t.is(pv?.status?.phase, 'Bound');
    t.is(pv?.spec?.claimRef?.uid, pvc.metadata?.uid, 'the PV is bound to exactly this claim');
    t.deepEqual(pv?.spec?.accessModes, [v.mode]);
    t.is(pv?.spec?.persistentVolumeReclaimPolicy, 'Retain');
  }
  await new Promise((r) => setTimeout(r, 2000));
  const intruder = await k.get<V1PersistentVolumeClaim>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'intruder', name: 'eng-app-pvc' });
  t.is(intruder?.status?.phase, 'Pending');
});

test.serial('samples: every Deployment Available on app-group nodes, db-init Job complete', async (t) => {
  const k = kube(A);
  const appNode = `${A.name}-worker`;
  for (const ns of ['sock-shop', 'eng-app']) {
    const deps = await k.list<V1Deployment>('apps/v1', 'Deployment', { namespace: ns });
    t.true(deps.length > 0, ns);
    for (const d of deps) t.true((d.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True'), `${ns}/${d.metadata?.name}`);
    const pods = await k.list<V1Pod>('v1', 'Pod', { namespace: ns });
    t.deepEqual([...new Set(pods.map((p) => p.spec?.nodeName))], [appNode], `${ns} pods all on the app node`);
  }
  t.is((await k.list<V1Deployment>('apps/v1', 'Deployment', { namespace: 'sock-shop' })).length, 15, '14 services + front-end v2');
  const job = await k.get<V1Job>({ apiVersion: 'batch/v1', kind: 'Job', namespace: 'eng-app', name: 'eng-app-db-init-job' });
  t.true((job?.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'));
  t.true(existsSync(path.join(A.root, 'eng-app.env')), 'eng-app.env was generated');
  t.notRegex(readFileSync(path.join(A.root, 'eng-app.env'), 'utf8'), /change-me/, 'with fresh passwords');
});

test.serial('istio on sim: CRDs and control plane from the real manifest, webhooks skipped visibly', async (t) => {
  const k = kube(A);
  const crds = await k.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  t.true(crds.filter((c) => c.metadata!.name!.endsWith('.istio.io')).length >= 10);
  const pods = await k.list<V1Pod>('v1', 'Pod', { namespace: 'istio-system' });
  const where = (label: string) => [...new Set(pods.filter((p) => Object.values(p.metadata?.labels ?? {}).includes(label)).map((p) => p.spec?.nodeName))];
  t.deepEqual(where('istiod'), [`${A.name}-worker4`], 'istiod on the system group');
  t.deepEqual(where('istio-ingressgateway'), [`${A.name}-worker3`], 'gateway on the ingress group');
  const gw = await k.get<{ spec: { type: string; ports: Array<{ name: string; nodePort?: number }> } } & KubernetesObject>({ apiVersion: 'v1', kind: 'Service', namespace: 'istio-system', name: 'istio-ingressgateway' });
  t.is(gw?.spec.type, 'NodePort');
  // status-port gets whatever NodePort the API server picks; the two the kind config maps are fixed.
  t.deepEqual(gw?.spec.ports.filter((p) => p.name !== 'status-port').map((p) => [p.name, p.nodePort]), [['http2', 31380], ['https', 31390]]);
  t.deepEqual(await k.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'), []);
  t.regex(upOutput, /MutatingWebhookConfiguration\/istio-sidecar-injector: skipped \(sim\): needs a running istiod/);
});

test.serial('re-seeding makes no writes', async (t) => {
  const k = kube(A);
  const kinds: Array<[string, string]> = [['apps/v1', 'Deployment'], ['v1', 'Service'], ['v1', 'Secret'], ['v1', 'PersistentVolumeClaim'], ['batch/v1', 'Job'], ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1', 'DestinationRule']];
  const before = await versionsOf(k, kinds);
  const r = lab(A, ['seed']);
  t.is(r.code, 0, r.err);
  t.deepEqual(await versionsOf(k, kinds), before);
});

test.serial('kubectl apply -k manifests/sock-shop (server-side, the lab\'s field manager) on the lab: the same objects, no writes', async (t) => {
  const k = kube(A);
  const kinds: Array<[string, string]> = [['apps/v1', 'Deployment'], ['v1', 'Service'], ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1', 'DestinationRule'], ['networking.istio.io/v1', 'Gateway'], ['v1', 'PersistentVolume']];
  const before = await versionsOf(k, kinds);
  for (const folder of ['sock-shop', 'storage/hostpath']) {
    const r = spawnSync(path.join(testenvBinDir(), 'kubectl'), ['--kubeconfig', A.kubeconfig, '--context', A.context, 'apply', '--server-side', '--field-manager', 'cloud-native-lab', '-k', path.join(REPO, 'manifests', folder)], { encoding: 'utf8' });
    t.is(r.status, 0, r.stderr);
    t.regex(r.stdout, /serverside-applied/);
  }
  t.deepEqual(await versionsOf(k, kinds), before);
});

test.serial('a Job completes (kwok pod stages)', async (t) => {
  const k = kube(A);
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'db-init', namespace: 'it-sched' },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', nodeSelector: { [NODEGROUP_LABEL]: 'app' }, containers: [{ name: 'c', image: 'busybox:1.36' }] } },
    },
  };
  await k.apply([job]);
  const done = await k.waitFor<V1Job>('/apis/batch/v1/namespaces/it-sched/jobs', 'db-init', (j) => (j.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'), 90_000);
  t.is(done.status?.succeeded, 1);
});

test.serial('lab status shows the labelled nodes and the bound claims', (t) => {
  const r = lab(A, ['status', '--json']);
  t.is(r.code, 0, r.err);
  const st = JSON.parse(r.out) as LabStatus;
  t.true(st.cluster.exists && st.cluster.reachable);
  t.deepEqual(st.nodes.filter((n) => !n.controlPlane).map((n) => n.group).sort(), ['app', 'deploy', 'ingress', 'system']);
  t.deepEqual(st.volumes.map((v) => [v.pv, v.phase, v.claim]), labVolumes().map((v) => [v.name, 'Bound', `${v.claim.namespace}/${v.claim.name}`]));
  // The chart releases cannot be downloaded on sim (no chart repository): skipped, saying how to
  // cache them; everything else, the lab's own observability objects included, is ready.
  const skipped = st.components.filter((c) => c.state !== 'ready');
  t.deepEqual(skipped.map((c) => [c.step, c.state, c.detail]), ['kube-prometheus-stack', 'jaeger', 'kiali', 'flagger', 'flagger-loadtester'].map((s) => [s, 'skipped (sim)', 'chart archive not cached (npm run lab -- charts pull)']), JSON.stringify(st.components));
  t.true(st.components.some((c) => c.step === 'mesh-monitors' && c.state === 'ready'));
  const text = lab(A, ['status']);
  t.regex(text.out, new RegExp(`${A.name}-worker3\\s+ingress\\s+Ready`));
});

test.serial('a second lab up makes no writes', async (t) => {
  const k = kube(A);
  const before = await versionsOf(k, LAB_KINDS);
  const r = lab(A, ['up']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /Nothing to change/);
  t.regex(r.err, /\(unchanged\)/);
  const after = await versionsOf(k, LAB_KINDS);
  t.deepEqual(after, before);
});

test.serial('an interrupted lab up converges when run again (and LAB_STORAGE=nfs serves the PVs)', async (t) => {
  const B = simProject(`sim-b-${suffix}`, { LAB_STORAGE: 'nfs' });
  try {
    const first = await interruptUp(B, /Create the cluster/, 1500);
    t.true(first.signal === 'SIGINT' || first.code !== 0, `interrupted: ${first.code} ${first.signal}`);
    t.regex(first.err, /Interrupted\. Nothing is lost/);
    t.notRegex(first.err, /✓ Create the cluster/, 'the signal landed while the cluster was being created');
    const again = lab(B, ['up']);
    t.is(again.code, 0, again.err);
    const k = kube(B);
    t.is((await k.list<V1Node>('v1', 'Node')).length, 5);
    const pvs = await k.list<V1PersistentVolume>('v1', 'PersistentVolume');
    t.deepEqual(pvs.map((p) => p.metadata!.name).sort(), ['eng-app', 'eng-app-data']);
    // nfs: an NFS server on the system group; the PVs name its Service by ClusterIP (kubelets
    // mount from the node's network, which cannot resolve cluster DNS).
    const svc = await k.get<{ spec: { clusterIP: string } } & KubernetesObject>({ apiVersion: 'v1', kind: 'Service', namespace: 'lab-storage', name: 'nfs-server' });
    t.regex(svc?.spec.clusterIP ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    t.deepEqual(pvs.map((p) => p.spec?.nfs?.server), [svc!.spec.clusterIP, svc!.spec.clusterIP]);
    t.deepEqual(pvs.map((p) => p.spec?.hostPath), [undefined, undefined]);
    const nfsPods = await k.list<V1Pod>('v1', 'Pod', { namespace: 'lab-storage' });
    t.deepEqual(nfsPods.map((p) => p.spec?.nodeName), [`${B.name}-worker4`]);
    t.true(pvs.every((p) => p.status?.phase === 'Bound'), 'the eng_app claims bind to the NFS PVs too');
    t.is(lab(B, ['up']).out.includes('Nothing to change'), true);
  } finally {
    lab(B, ['down', '--purge', '--yes']);
  }
});

test.serial('lab down on an existing context removes only what the lab created', async (t) => {
  const k = kube(A);
  await k.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'users-own' } }]);
  const existing = { ...A, env: { LAB_PROVIDER: 'existing', LAB_CONTEXT: A.context, LAB_KUBECONFIG: A.kubeconfig } };
  const r = lab(existing, ['down']);
  t.is(r.code, 0, r.err);
  // Deletion is requested for every lab object; bound PVs wait for their claims (pv-protection).
  const left = await k.list<V1PersistentVolume>('v1', 'PersistentVolume', { labelSelector: 'app.kubernetes.io/managed-by=cloud-native-lab' });
  t.true(left.every((pv) => pv.metadata?.deletionTimestamp), left.map((pv) => pv.metadata?.name).join(','));
  t.deepEqual(await k.list('storage.k8s.io/v1', 'StorageClass', { labelSelector: 'app.kubernetes.io/managed-by=cloud-native-lab' }), []);
  t.truthy(await k.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'cloud-native-lab' }), 'the record of who created the cluster stays: it is not the existing provider\'s');
  t.truthy(await k.get({ apiVersion: 'v1', kind: 'Namespace', name: 'users-own' }), "the user's namespace is untouched");
  t.is((await k.list('v1', 'Node')).length, 5, 'the cluster itself is untouched');
  const noContext = lab(existing, ['down'], { LAB_CONTEXT: '' });
  t.is(noContext.code, 2);
  t.regex(noContext.err, /LAB_CONTEXT is required with LAB_PROVIDER=existing/);
});

test.serial('lab down stops the control plane and leaves nothing behind but the data', async (t) => {
  const clusterDir = path.join(A.root, '.lab', 'sim', 'clusters', A.name);
  const pids = existsSync(path.join(clusterDir, 'pids'))
    ? readdirSync(path.join(clusterDir, 'pids')).map((f) => Number(readFileSync(path.join(clusterDir, 'pids', f), 'utf8').trim()))
    : [];
  t.true(pids.length >= 5, `control-plane pids: ${pids.join(',')}`);
  const r = lab(A, ['down']);
  t.is(r.code, 0, r.err);
  await new Promise((res) => setTimeout(res, 1000));
  t.deepEqual(pids.filter((pid) => existsSync(`/proc/${pid}`)), [], 'no component process left');
  t.false(existsSync(clusterDir));
  t.false(readFileSync(A.kubeconfig, 'utf8').includes(A.context), 'its context is gone from the lab kubeconfig');
  t.true(existsSync(path.join(A.root, '.lab', 'data', 'eng_app')), 'data kept');
  const st = JSON.parse(lab(A, ['status', '--json']).out) as LabStatus;
  t.false(st.cluster.exists);
});
