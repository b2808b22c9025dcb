// `lab pf`'s forwards for real: the real kubectl, through a real kube-apiserver, to a KWOK node whose
// port-forward KWOK fakes (a ClusterPortForward in the kwokctl config sends every pod port to an
// HTTP stand-in on 127.0.0.1). Shown: Grafana's forward serves on its local port; when the kubectl
// process dies the supervisor starts a new one and the port serves again; when the Service is
// deleted the forward is given up; Ctrl-C (abort) ends the rest.
// Not shown (KWOK cannot): a real pod restart. KWOK's port-forward does not check that the pod still
// exists, so deleting the pod leaves the old forward working; a kubelet closes it instead.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { LabError } from '../../lab/errors.ts';
import { kubectlSpawner } from '../../lab/forward-spawn.ts';
import type { ForwardChild } from '../../lab/forward-supervisor.ts';
import { Kube } from '../../lab/kube.ts';
import { FORWARD_TARGETS, forward } from '../../lab/port-forward.ts';
import { fakeNode } from '../../lab/providers/sim.ts';
import { kwokEnv, kwokctlConfig } from '../../lab/testenv/cluster.ts';
import { withLock } from '../../lab/testenv/lock.ts';
import { labCacheRoot, testenvBinDir } from '../../lab/testenv/paths.ts';
import { simStages } from '../../lab/testenv/stages.ts';
import { LAB_MJS, LAB_NODE, testConfig, testContext, tempDir } from '../helpers.ts';
import { requireTestenv } from './harness.ts';

const name = `pf-${process.pid.toString(36)}`;
const root = tempDir('lab-pf-kwok-');
const workdir = path.join(root, 'kwok');
const kubeconfig = path.join(root, '.lab', 'kubeconfig');
const bin = (n: string) => path.join(testenvBinDir(), n);
let standIn: http.Server;
let hits = 0;

const grafana = FORWARD_TARGETS.find((t) => t.name === 'grafana')!;

function objects(): KubernetesObject[] {
  const labels = { app: 'grafana-stand-in' };
  return [
    fakeNode(`${name}-worker`, 'system'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: grafana.namespace } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'grafana', namespace: grafana.namespace }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'grafana', image: 'fake', ports: [{ containerPort: 3000 }] }] } } } } as KubernetesObject,
    { apiVersion: 'v1', kind: 'Service', metadata: { name: grafana.service, namespace: grafana.namespace }, spec: { selector: labels, ports: [{ port: grafana.remotePort, targetPort: 3000 }] } } as KubernetesObject,
  ];
}

test.before(async () => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
  standIn = http.createServer((_, res) => {
    hits++;
    res.end('grafana stand-in');
  });
  await new Promise<void>((r) => standIn.listen(0, '127.0.0.1', () => r()));
  const target = (standIn.address() as AddressInfo).port;
  const forwardDoc = `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterPortForward\nmetadata:\n  name: every-port-to-the-stand-in\nspec:\n  forwards:\n  - target:\n      port: ${target}\n      address: 127.0.0.1\n`;
  mkdirSync(workdir, { recursive: true });
  const config = path.join(workdir, `${name}.kwokctl.yaml`);
  writeFileSync(config, kwokctlConfig(testenvBinDir(), workdir, `${await simStages()}\n---\n${forwardDoc}`));
  const r = await withLock(path.join(labCacheRoot(), 'kwokctl-create.lock'), async () =>
    spawnSync(bin('kwokctl'), ['--name', name, '--config', config, 'create', 'cluster', '--runtime', 'binary', '--kubeconfig', kubeconfig, '--quiet-pull', '--wait', '120s'], { env: kwokEnv(workdir), encoding: 'utf8' }));
  if (r.status !== 0) throw new Error(`kwokctl create cluster failed: ${r.stderr}${r.stdout}`);
  const kube = Kube.fromFile(kubeconfig, `kwok-${name}`);
  await kube.apply(objects());
  const running = (p: V1Pod) => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  for (let i = 0; i < 120; i++) {
    const pods = await kube.list<V1Pod>('v1', 'Pod', { namespace: grafana.namespace });
    if (pods.some(running)) return;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error('the stand-in pod never became Ready');
});

test.after.always(() => {
  spawnSync(bin('kwokctl'), ['--name', name, 'delete', 'cluster', '--kubeconfig', kubeconfig], { env: kwokEnv(workdir) });
  standIn?.close();
});

async function get(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', () => resolve(undefined));
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.serial('real kubectl: the forward serves, is re-established after kubectl dies, and is given up when the Service goes', async (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: name, LAB_PF_PORTS: `grafana=${await freeLocalPort()}` }, root);
  const { ctx, lines } = testContext(cfg);
  const url = `http://127.0.0.1:${cfg.pfPorts.grafana}/`;
  const children: ForwardChild[] = [];
  const real = kubectlSpawner((l) => lines.push(l));
  const spawn = (argv: string[], n: string) => {
    const c = real(argv, n);
    children.push(c);
    return c;
  };
  const abort = new AbortController();
  t.teardown(() => abort.abort()); // a failing assertion must not leave kubectl running
  const out: string[] = [];
  const run = forward(ctx, [grafana], { signal: abort.signal, spawn, write: (l) => out.push(l) });
  t.is(await until('the first forward', async () => (await get(url)) === 'grafana stand-in' || undefined), true);
  const before = hits;

  children[0].kill(); // the forward drops
  await until('the reconnect line', async () => lines.find((l) => /^grafana: forward ended \(signal SIGTERM\), reconnecting in 1s$/.test(l)));
  t.is(await until('the second forward', async () => (children.length === 2 && (await get(url)) === 'grafana stand-in') || undefined), true);
  t.true(hits > before, 'the request reached the stand-in through the new kubectl');

  await Kube.fromFile(cfg.kubeconfig, `kwok-${name}`).delete({ apiVersion: 'v1', kind: 'Service', namespace: grafana.namespace, name: grafana.service });
  children[1].kill();
  const err = await t.throwsAsync(run, { instanceOf: LabError });
  t.regex(err!.message, /every forward has ended: grafana \(monitoring\/kube-prometheus-stack-grafana no longer exists\)/);
  t.is(children.length, 2, 'not started again once the Service is gone');
  t.log(lines.join('\n'));
  t.regex(out[0], /grafana .*login: \(grafana-admin\.env is created by the next lab up\)/);
});

test.serial('real kubectl: abort (Ctrl-C) ends the forward and frees the port', async (t) => {
  const kube = Kube.fromFile(kubeconfig, `kwok-${name}`);
  await kube.apply(objects().filter((o) => o.kind === 'Service'));
  const cfg = testConfig({ LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: name, LAB_PF_PORTS: `grafana=${await freeLocalPort()}` }, root);
  const { ctx } = testContext(cfg);
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const run = forward(ctx, [grafana], { signal: abort.signal, write: () => {} });
  const url = `http://127.0.0.1:${cfg.pfPorts.grafana}/`;
  await until('the forward', async () => (await get(url)) === 'grafana stand-in' || undefined);
  abort.abort();
  await t.notThrowsAsync(run);
  t.is(await get(url), undefined, 'nothing listens any more');
});

test.serial('the CLI: `lab pf grafana` forwards until Ctrl-C, then exits 0 with nothing left listening', async (t) => {
  const port = await freeLocalPort();
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_'))), CI: 'true', LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: name, LAB_PF_PORTS: `grafana=${port}` };
  // Its own process group, so the SIGINT reaches the CLI and its kubectl as a terminal's Ctrl-C would.
  const child = spawn(LAB_NODE, [LAB_MJS, 'pf', 'grafana'], { cwd: root, env, detached: true });
  t.teardown(() => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (code, sig) => r([code, sig])));
  await until('the CLI forward', async () => (await get(`http://127.0.0.1:${port}/`)) === 'grafana stand-in' || undefined, 60_000);
  process.kill(-child.pid!, 'SIGINT');
  t.deepEqual(await exited, [0, null], stderr);
  t.regex(stdout, new RegExp(`grafana +http://127\\.0\\.0\\.1:${port}/ +→ monitoring/kube-prometheus-stack-grafana:80`));
  t.regex(stderr, /stopped 1 forward$/m);
  t.notRegex(stderr, /reconnecting/, 'Ctrl-C is a stop, not a drop to reconnect');
  t.is(await get(`http://127.0.0.1:${port}/`), undefined);
});

async function freeLocalPort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
