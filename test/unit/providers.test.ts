// Providers through a recording runner: the exact kind/minikube command lines, the kind config's
// labels, mounts and 127.0.0.1 port mappings, and the reconcile decision of the cluster step.
import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { NODEGROUP_LABEL } from '../../lab/config-keys.ts';
import { kindConfig, kindConfigYaml, INGRESS_NODEPORTS } from '../../lab/providers/kind-config.ts';
import { KindProvider } from '../../lab/providers/kind.ts';
import { MinikubeProvider, pickGatewayUrl } from '../../lab/providers/minikube.ts';
import { RecordingRunner } from '../../lab/run.ts';
import { decide } from '../../lab/steps/cluster.ts';
import { desiredSpec } from '../../lab/providers/types.ts';
import { REPO, testConfig, testContext } from '../helpers.ts';

type KindNode = { role: string; image: string; labels?: Record<string, string>; extraMounts: Array<{ hostPath: string; containerPath: string }>; extraPortMappings?: Array<Record<string, unknown>> };

test('kind config: 1 control-plane + workers labelled by group, data dir on every node, ingress ports on 127.0.0.1', (t) => {
  const cfg = testConfig({ LAB_WORKERS: '5', LAB_HTTP_PORT: '18080', LAB_HTTPS_PORT: '18443', LAB_DATA_DIR: '/srv/labdata' });
  const doc = parse(kindConfigYaml(cfg)) as { kind: string; apiVersion: string; name: string; networking: Record<string, string>; nodes: KindNode[] };
  t.is(doc.kind, 'Cluster');
  t.is(doc.apiVersion, 'kind.x-k8s.io/v1alpha4');
  t.is(doc.networking.apiServerAddress, '127.0.0.1');
  t.deepEqual(doc.nodes.map((n) => n.role), ['control-plane', 'worker', 'worker', 'worker', 'worker', 'worker']);
  t.deepEqual(doc.nodes.map((n) => n.labels?.[NODEGROUP_LABEL] ?? null), [null, 'app', 'deploy', 'ingress', 'system', 'app']);
  for (const n of doc.nodes) {
    t.deepEqual(n.extraMounts, [{ hostPath: '/srv/labdata', containerPath: '/opt/nfs' }]);
    t.regex(n.image, /^kindest\/node:v1\.35\.8@sha256:[0-9a-f]{64}$/);
    t.false(Object.keys(n.labels ?? {}).some((k) => k.startsWith('node-role.kubernetes.io/')), 'kind#3536: node-role labels break kind create');
  }
  const mapped = doc.nodes.filter((n) => n.extraPortMappings);
  t.is(mapped.length, 1);
  t.is(mapped[0].labels?.[NODEGROUP_LABEL], 'ingress');
  t.deepEqual(mapped[0].extraPortMappings, [
    { containerPort: INGRESS_NODEPORTS.http, hostPort: 18080, listenAddress: '127.0.0.1', protocol: 'TCP' },
    { containerPort: INGRESS_NODEPORTS.https, hostPort: 18443, listenAddress: '127.0.0.1', protocol: 'TCP' },
  ]);
  t.false(kindConfigYaml(cfg).includes('*a'), 'no YAML aliases: the file reads like a hand-written one');
});

test('kind config pins the image of the chosen version', (t) => {
  const cfg = testConfig({ LAB_K8S_VERSION: 'v1.36.4' });
  const nodes = kindConfig(cfg).nodes as KindNode[];
  t.true(nodes.every((n) => n.image.startsWith('kindest/node:v1.36.4@sha256:')));
});

test('kind create: exact argv, kubeconfig is the lab file, config written first', async (t) => {
  const cfg = testConfig();
  const { ctx, runner } = testContext(cfg);
  const kind = new KindProvider({ cfg, run: runner, log: ctx.log, tool: (n) => `/bin/${n}` });
  await kind.create({ retain: false });
  t.deepEqual(runner.argvs(), [
    ['/bin/kind', 'create', 'cluster', '--name', 'lab', '--config', `${cfg.stateDir}/kind-config.yaml`, '--kubeconfig', cfg.kubeconfig, '--wait', '120s'],
  ]);
  t.is(readFileSync(`${cfg.stateDir}/kind-config.yaml`, 'utf8'), kindConfigYaml(cfg));
  await kind.create({ retain: true });
  t.is(runner.argvs()[1].at(-1), '--retain');
});

test('kind exists: reads `kind get clusters`', async (t) => {
  const cfg = testConfig();
  const { ctx, runner } = testContext(cfg);
  runner.on('/bin/kind get clusters', { stdout: 'other\nlab\n' });
  t.true(await new KindProvider({ cfg, run: runner, log: ctx.log, tool: (n) => `/bin/${n}` }).exists());
  const cfg2 = testConfig({ LAB_CLUSTER_NAME: 'la' });
  t.false(await new KindProvider({ cfg: cfg2, run: runner, log: ctx.log, tool: (n) => `/bin/${n}` }).exists(), 'no prefix matching');
});

test('minikube start: exact argv of seed 002, with KUBECONFIG pointing at the lab file', async (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'minikube', LAB_CPUS: '6', LAB_MEMORY: '16g', LAB_DATA_DIR: '/data/lab', LAB_K8S_VERSION: 'v1.35.1' });
  const { ctx, runner } = testContext(cfg);
  const mk = new MinikubeProvider({ cfg, run: runner, log: ctx.log, tool: (n) => n });
  await mk.create();
  t.deepEqual(runner.argvs(), [
    [
      'minikube', 'start', '-p', 'lab', '--nodes', '5', '--driver=docker', '--container-runtime=containerd',
      '--kubernetes-version=v1.35.1', '--cpus=6', '--memory=16384mb', '--mount', '--mount-string=/data/lab:/opt/nfs', '--listen-address=127.0.0.1',
    ],
  ]);
  t.is(runner.calls[0].opts.env?.KUBECONFIG, cfg.kubeconfig);
  t.deepEqual(mk.workerNodeNames(), ['lab-m02', 'lab-m03', 'lab-m04', 'lab-m05']);
});

const minikubeOut = (name: string) => readFileSync(path.join(REPO, 'fixtures', 'minikube', name), 'utf8');

/** minikube as it answers `service --url`: with --format, the named lines; without, bare URLs (status-port first). */
function minikubeService(runner: RecordingRunner, mode: 'nodeport' | 'tunnel') {
  runner.on('minikube service', (c) => {
    if (mode === 'tunnel') return { exitCode: 143, stdout: minikubeOut('service-url-tunnel.stdout'), stderr: minikubeOut('service-url-tunnel.stderr') };
    return { stdout: minikubeOut(c.args.includes('--format') ? 'service-url-nodeport.stdout' : 'service-url-default.stdout') };
  });
}

test('minikube exists / delete', async (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'minikube' });
  const { ctx, runner } = testContext(cfg);
  runner.on('minikube profile list', { stdout: JSON.stringify({ valid: [{ Name: 'lab' }], invalid: [] }) });
  const mk = new MinikubeProvider({ cfg, run: runner, log: ctx.log, tool: (n) => n });
  t.true(await mk.exists());
  await mk.delete();
  t.deepEqual(runner.argvs().at(-1), ['minikube', 'delete', '-p', 'lab']);
});

test('minikube ingress URL: the http2 port by name, not the first line (status-port comes first)', async (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'minikube' });
  const { ctx, runner } = testContext(cfg);
  minikubeService(runner, 'nodeport');
  const mk = new MinikubeProvider({ cfg, run: runner, log: ctx.log, tool: (n) => n, platform: 'linux' });
  t.is(await mk.ingressUrl(), 'http://192.168.49.2:31380');
  t.deepEqual(runner.argvs()[0], ['minikube', 'service', '--url', '--format', '{{.Name}} http://{{.IP}}:{{.Port}}', '-p', 'lab', '-n', 'istio-system', 'istio-ingressgateway']);
  t.is(pickGatewayUrl(minikubeOut('service-url-default.stdout'), ''), undefined, 'bare URLs carry no port names: never guess');
});

test('minikube ingress URL where the docker driver tunnels: the lab\'s own port-forward, said how', async (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'minikube' });
  const { ctx, runner } = testContext(cfg);
  minikubeService(runner, 'tunnel');
  const linuxDesktop = new MinikubeProvider({ cfg, run: runner, log: ctx.log, tool: (n) => n, platform: 'linux' });
  const hint = 'http://127.0.0.1:8080 (run in another terminal: npm run pf -- ingress; minikube\'s docker driver does not expose the node here)';
  t.is(await linuxDesktop.ingressUrl(), hint);
  t.is(runner.calls[0].opts.timeoutMs, 20_000, 'a tunnel never returns: bounded');
  const mac = new MinikubeProvider({ cfg, run: runner, log: ctx.log, tool: (n) => n, platform: 'darwin' });
  t.is(await mac.ingressUrl(), hint);
  t.is(runner.calls.length, 1, 'on macOS minikube service is not even started');
  t.is(pickGatewayUrl(minikubeOut('service-url-tunnel.stdout'), ''), 'tunnel', 'the 127.0.0.1 URLs alone say tunnel too');
});

test('a failing minikube start is an error carrying its output', async (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'minikube' });
  const { ctx, runner } = testContext(cfg);
  runner.on('minikube start', { exitCode: 80, stderr: 'X Exiting due to PROVIDER_DOCKER_NOT_RUNNING' });
  const err = await t.throwsAsync(new MinikubeProvider({ cfg, run: runner, log: ctx.log, tool: (n) => n }).create());
  t.regex(err!.message, /minikube start .* exited 80/);
  t.regex((err as { detail?: string }).detail ?? '', /PROVIDER_DOCKER_NOT_RUNNING/);
});

test('reconcile: missing → create, same spec → skip, different → refuse with diff, or recreate', (t) => {
  const want = desiredSpec(testConfig());
  const lab = (spec: typeof want) => ({ owner: 'lab' as const, reachable: true as const, spec });
  t.deepEqual(decide(false, undefined, want, false), { action: 'create' });
  t.deepEqual(decide(true, lab({ ...want }), want, false), { action: 'skip' });
  const have = { ...want, workers: 5, workerGroups: ['app', 'deploy', 'ingress', 'system', 'app'] };
  const refused = decide(true, lab(have), want, false);
  t.is(refused.action, 'refuse');
  t.deepEqual((refused as { diff: string[] }).diff, ['workers: 5 → 4', 'workerGroups: ["app","deploy","ingress","system","app"] → ["app","deploy","ingress","system"]']);
  t.is(decide(true, lab(have), want, true).action, 'recreate');
  t.is(decide(true, { owner: 'half-made' }, want, false).action, 'recreate', 'its own interrupted creation is replaced');
});

test('reconcile: a same-named cluster the lab did not create is never replaced, not even with --recreate', (t) => {
  const want = desiredSpec(testConfig());
  for (const recreate of [false, true]) {
    t.deepEqual(decide(true, { owner: 'foreign', why: 'it has no ConfigMap kube-system/cloud-native-lab recording a lab spec' }, want, recreate), {
      action: 'not-ours', why: 'it has no ConfigMap kube-system/cloud-native-lab recording a lab spec',
    });
    t.is(decide(true, { owner: 'unknown', why: 'ECONNREFUSED' }, want, recreate).action, 'not-ours', 'cannot tell → not touched');
  }
  const unreachable = { owner: 'lab' as const, reachable: false as const, why: 'ECONNREFUSED', createdAt: '2026-12-01T10:00:00Z' };
  t.is(decide(true, unreachable, want, false).action, 'refuse', "the lab's own cluster that does not answer: say so");
  t.is(decide(true, unreachable, want, true).action, 'recreate', '… and replace it when asked');
});
