// The real MeshOps' command lines through a recording runner: every kubectl/istioctl call carries
// the lab's --kubeconfig and --context (never the user's current context), the gateway stats come
// from each running gateway pod, diagnostics keep what matters, and the ingress URL is usable.
import test from 'ava';
import path from 'node:path';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../../lab/kube.ts';
import { createMeshOps, ingressBase, keepLines, labToolArgv, toWireForm } from '../../lab/exercises/mesh-ops.ts';
import { RecordingRunner } from '../../lab/run.ts';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { testConfig, testContext } from '../helpers.ts';

const pod = (name: string, phase: string, deleting = false): V1Pod => ({ metadata: { name, ...(deleting ? { deletionTimestamp: new Date() } : {}) }, status: { phase } });

test('kubectl and istioctl get the lab kubeconfig and context; sim uses the testenv builds', (t) => {
  const { ctx } = testContext(testConfig());
  const argv = labToolArgv(ctx, 'istioctl', ['proxy-status']);
  t.deepEqual(argv.slice(1), ['--kubeconfig', ctx.cfg.kubeconfig, '--context', 'kind-lab', 'proxy-status']);
  t.is(argv[0], ctx.tool('istioctl'));
  const sim = testContext(testConfig({ LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: 'x1' })).ctx;
  t.deepEqual(labToolArgv(sim, 'kubectl', ['get', 'pods']), [path.join(testenvBinDir(), 'kubectl'), '--kubeconfig', sim.cfg.kubeconfig, '--context', 'kwok-x1', 'get', 'pods']);
});

test('gatewayAdmin: one exec per running gateway pod (terminating ones left out), with the lab context', async (t) => {
  const runner = new RecordingRunner().on((c) => c.args.includes('gw-a'), { stdout: 'server.live: 1\n' }).on((c) => c.args.includes('gw-b'), { stdout: 'server.live: 2\n' });
  const { ctx } = testContext(testConfig(), {}, runner);
  const listed: unknown[] = [];
  ctx.kube = () => ({ list: async (...a: unknown[]) => { listed.push(a); return [pod('gw-a', 'Running'), pod('gw-old', 'Running', true), pod('gw-b', 'Running'), pod('gw-p', 'Pending')]; } }) as unknown as Kube;
  const stats = await createMeshOps(ctx).gatewayAdmin('stats');
  t.deepEqual(stats, [{ pod: 'gw-a', text: 'server.live: 1\n' }, { pod: 'gw-b', text: 'server.live: 2\n' }]);
  t.deepEqual(listed, [['v1', 'Pod', { namespace: 'istio-system', labelSelector: 'istio=ingressgateway' }]]);
  t.deepEqual(runner.argvs().map((a) => a.slice(1)), ['gw-a', 'gw-b'].map((p) => [
    '--kubeconfig', ctx.cfg.kubeconfig, '--context', 'kind-lab', 'exec', '-n', 'istio-system', p, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', 'stats',
  ]));
});

test('gatewayAdmin: a failed exec is an error naming the command and its output', async (t) => {
  const runner = new RecordingRunner().on(() => true, { exitCode: 1, stderr: 'error: unable to upgrade connection' });
  const { ctx } = testContext(testConfig(), {}, runner);
  ctx.kube = () => ({ list: async () => [pod('gw-a', 'Running')] }) as unknown as Kube;
  const err = await t.throwsAsync(createMeshOps(ctx).gatewayAdmin('clusters'));
  t.regex(err!.message, /exited 1$/);
  t.is((err as { detail?: string }).detail, 'error: unable to upgrade connection');
});

test('collect: filtered and tailed output, exit codes kept, a runner exception becomes an entry', async (t) => {
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}${i % 2 ? ' front-end' : ''}`).join('\n');
  const runner = new RecordingRunner().on((c) => c.args.includes('stats'), { stdout: lines }).on((c) => c.args.includes('events'), { exitCode: 1, stderr: 'No resources found' });
  const { ctx } = testContext(testConfig(), {}, runner);
  const boom = { run: async (cmd: string, args: string[]) => (args.includes('boom') ? Promise.reject(new Error('spawn ENOENT')) : runner.run(cmd, args)) };
  ctx.run = boom;
  const out = await createMeshOps(ctx).collect([
    { title: 'stats', tool: 'kubectl', args: ['exec', 'stats'], filter: (l) => l.includes('front-end'), tailLines: 3 },
    { title: 'events', tool: 'kubectl', args: ['get', 'events'] },
    { title: 'boom', tool: 'istioctl', args: ['boom'] },
  ]);
  t.deepEqual(out.map((e) => [e.title, e.exitCode, e.output]), [
    ['stats', 0, '(47 earlier lines left out)\nline 95 front-end\nline 97 front-end\nline 99 front-end'],
    ['events', 1, 'No resources found'],
    ['boom', null, 'could not run: spawn ENOENT'],
  ]);
  t.deepEqual(out[1].argv.slice(1, 5), ['--kubeconfig', ctx.cfg.kubeconfig, '--context', 'kind-lab']);
});

test('keepLines drops blank lines and keeps the last N', (t) => {
  t.is(keepLines('a\n\n b\nc\n', { tailLines: 2 }), '(1 earlier lines left out)\n b\nc');
});

test('ingressBase: the URL word of what the provider says; a provider without one is an error', (t) => {
  t.is(ingressBase('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  t.is(ingressBase('http://127.0.0.1:8080 (run: npm run pf -- ingress)'), 'http://127.0.0.1:8080');
  t.is(ingressBase('http://192.168.49.2:31380/\n'), 'http://192.168.49.2:31380');
  t.throws(() => ingressBase('none (sim has no data plane; use kind or minikube for traffic)'), { message: /^the ingress URL is not usable: "none/ });
});

test('toWireForm: typed models back to the API server\'s JSON (dates as strings)', (t) => {
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', creationTimestamp: new Date('2026-01-02T03:04:05Z') }, spec: { replicas: 2 } } as unknown as V1Deployment;
  t.deepEqual(toWireForm(d), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', creationTimestamp: '2026-01-02T03:04:05.000Z' }, spec: { replicas: 2 } });
});

test('command: the lab context, stdin passed on, exit codes kept, a runner exception is exit null with the reason', async (t) => {
  const runner = new RecordingRunner().on((c) => c.args.includes('cordon'), { exitCode: 1, stderr: 'nodes "x" not found' }).on((c) => c.args.includes('exec'), { stdout: 'ok\n' });
  const { ctx } = testContext(testConfig(), {}, runner);
  const ops = createMeshOps(ctx);
  const exec = await ops.command('kubectl', ['exec', '-i', 'p', '--', 'sh'], { input: 'echo ok' });
  t.deepEqual([exec.exitCode, exec.stdout], [0, 'ok\n']);
  t.deepEqual(exec.argv.slice(1, 5), ['--kubeconfig', ctx.cfg.kubeconfig, '--context', 'kind-lab']);
  t.is(runner.calls[0].opts?.input, 'echo ok');
  const cordon = await ops.command('kubectl', ['cordon', 'x']);
  t.deepEqual([cordon.exitCode, cordon.stderr], [1, 'nodes "x" not found']);
  ctx.run = { run: async () => Promise.reject(new Error('spawn ENOENT')) };
  const gone = await ops.command('istioctl', ['version']);
  t.deepEqual([gone.exitCode, gone.stderr], [null, 'could not run: spawn ENOENT']);
});

test('list: wire form, with namespace and selector handed to the API', async (t) => {
  const { ctx } = testContext(testConfig());
  const listed: unknown[] = [];
  ctx.kube = () => ({ list: async (...a: unknown[]) => { listed.push(a); return [pod('p1', 'Running', true)]; } }) as unknown as Kube;
  const pods = await createMeshOps(ctx).list('v1', 'Pod', { namespace: 'sock-shop', labelSelector: 'app=x' });
  t.deepEqual(listed, [['v1', 'Pod', { namespace: 'sock-shop', labelSelector: 'app=x' }]]);
  t.is(typeof (pods[0].metadata as { deletionTimestamp?: unknown }).deletionTimestamp, 'string', 'dates as the API sends them');
});

test('hostPathOf: /opt/nfs/… is LAB_DATA_DIR/… where the provider mounts it (kind, minikube); elsewhere it says why', (t) => {
  for (const provider of ['kind', 'minikube']) {
    const { ctx } = testContext(testConfig({ LAB_PROVIDER: provider }));
    t.deepEqual(createMeshOps(ctx).hostPathOf('/opt/nfs/eng_app'), { path: path.join(ctx.cfg.dataDir, 'eng_app') }, provider);
    t.regex((createMeshOps(ctx).hostPathOf('/var/lib/mysql') as { why: string }).why, /not under \/opt\/nfs/);
    t.regex((createMeshOps(ctx).hostPathOf('/opt/nfs/../etc') as { why: string }).why, /not under \/opt\/nfs/);
  }
  const sim = testContext(testConfig({ LAB_PROVIDER: 'sim' })).ctx;
  t.deepEqual(createMeshOps(sim).hostPathOf('/opt/nfs/eng_app'), { why: "on sim the nodes' /opt/nfs is not LAB_DATA_DIR on this machine" });
});

test('relaunch: offered unless the run says no (--no-relaunch)', (t) => {
  const { ctx } = testContext(testConfig());
  t.truthy(createMeshOps(ctx).relaunch);
  t.is(createMeshOps(ctx, { relaunch: false }).relaunch, undefined);
});
