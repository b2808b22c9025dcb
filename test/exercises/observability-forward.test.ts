// The real MeshOps.serviceUrl / close (lab/exercises/mesh-ops.ts, service-forward.ts) with a
// stand-in kubectl: a small executable that answers `port-forward` the way kubectl does — it
// listens on 127.0.0.1 on a port of its choosing, prints "Forwarding from 127.0.0.1:PORT -> N" and
// runs until it is stopped — or fails the ways kubectl fails (the Service does not exist, it never
// says where it listens, it dies later when its pod goes). It records its argv and pid, so the
// test sees the exact command line and that close() really ended the process.
import test from 'ava';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { createMeshOps } from '../../lab/exercises/mesh-ops.ts';
import { tempDir, testConfig, testContext } from '../helpers.ts';

type Mode = 'ok' | 'notfound' | 'silent' | 'dies';
const dir = tempDir('lab-fake-kubectl-');

function fakeKubectl(mode: Mode): { bin: string; log: string } {
  const bin = path.join(dir, `kubectl-${mode}`);
  const log = path.join(dir, `${mode}.log`);
  writeFileSync(log, '');
  writeFileSync(bin, `#!${process.execPath}
const fs = require('node:fs');
const http = require('node:http');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, args }) + '\\n');
const svc = args.find((a) => a.startsWith('svc/'));
const remote = args[args.length - 1].split(':')[1];
const mode = ${JSON.stringify(mode)};
if (mode === 'notfound') { process.stderr.write('Error from server (NotFound): services "' + svc.slice(4) + '" not found\\n'); process.exit(1); }
if (mode === 'silent') { setInterval(() => {}, 1000); return; }
const server = http.createServer((req, res) => res.end('forwarded ' + svc + ':' + remote + ' ' + req.url));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('Forwarding from 127.0.0.1:' + server.address().port + ' -> ' + remote + '\\n');
  if (mode === 'dies') setTimeout(() => { process.stderr.write('E0101 lost connection to pod\\n'); process.exit(1); }, 200);
});
process.on('SIGTERM', () => process.exit(0));
`);
  chmodSync(bin, 0o755);
  return { bin, log };
}

const calls = (log: string) => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid: number; args: string[] });
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

function opsWith(bin: string, timeoutMs?: number) {
  const { ctx } = testContext(testConfig());
  ctx.tool = () => bin;
  return { ops: timeoutMs ? createMeshOps(ctx, { start: (argv) => import('../../lab/exercises/service-forward.ts').then((m) => m.startForward(argv, timeoutMs)) }) : createMeshOps(ctx), ctx };
}

test('serviceUrl: kubectl port-forward with the lab kubeconfig and context, 127.0.0.1 only, a port kubectl picks; one forward per Service; close ends them', async (t) => {
  const { bin, log } = fakeKubectl('ok');
  const { ops, ctx } = opsWith(bin);
  const prom = await ops.serviceUrl('prometheus');
  t.regex(prom, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.is(await (await request(`${prom}/api/v1/query`)).body.text(), 'forwarded svc/kube-prometheus-stack-prometheus:9090 /api/v1/query');
  t.is(await ops.serviceUrl('prometheus'), prom, 'the same forward is reused');
  const jaeger = await ops.serviceUrl('jaegerQuery');
  t.not(jaeger, prom);
  t.regex(await ops.serviceUrl('kiali'), /^http:\/\/127\.0\.0\.1:\d+\/kiali$/, "the endpoint's path is kept");
  const started = calls(log);
  t.deepEqual(started.map((c) => c.args), [
    ['--kubeconfig', ctx.cfg.kubeconfig, '--context', 'kind-lab', 'port-forward', '--address', '127.0.0.1', '-n', 'monitoring', 'svc/kube-prometheus-stack-prometheus', '0:9090'],
    ['--kubeconfig', ctx.cfg.kubeconfig, '--context', 'kind-lab', 'port-forward', '--address', '127.0.0.1', '-n', 'monitoring', 'svc/jaeger', '0:16686'],
    ['--kubeconfig', ctx.cfg.kubeconfig, '--context', 'kind-lab', 'port-forward', '--address', '127.0.0.1', '-n', 'istio-system', 'svc/kiali', '0:20001'],
  ]);
  t.true(started.every((c) => alive(c.pid)));
  await ops.close();
  t.true(started.every((c) => !alive(c.pid)), 'every kubectl is gone after close');
  await ops.close();
  await t.throwsAsync(request(`${prom}/`), { code: 'ECONNREFUSED' });
});

test('serviceUrl: a gRPC endpoint is refused before anything runs', async (t) => {
  const { bin, log } = fakeKubectl('ok');
  const { ops } = opsWith(bin);
  await t.throwsAsync(ops.serviceUrl('jaegerOtlpGrpc'), { message: 'jaegerOtlpGrpc (monitoring/jaeger:4317) is a grpc endpoint, not an HTTP API' });
  t.deepEqual(calls(log), []);
});

test('serviceUrl: kubectl failing (the Service does not exist) is a LabError naming the command, with its stderr', async (t) => {
  const { bin } = fakeKubectl('notfound');
  const { ops } = opsWith(bin);
  const err = await t.throwsAsync(ops.serviceUrl('lokiQuery'));
  t.regex(err!.message, /kubectl-notfound --kubeconfig .* port-forward --address 127\.0\.0\.1 -n monitoring svc\/loki 0:3100 exited 1 before forwarding$/);
  t.is((err as { detail?: string }).detail, 'Error from server (NotFound): services "loki" not found');
  await ops.close();
});

test('serviceUrl: a kubectl that never says where it listens is stopped after the timeout', async (t) => {
  const { bin, log } = fakeKubectl('silent');
  const { ops } = opsWith(bin, 2500);
  await t.throwsAsync(ops.serviceUrl('prometheus'), { message: /svc\/kube-prometheus-stack-prometheus 0:9090: no "Forwarding from 127\.0\.0\.1:…" within 2500 ms$/ });
  await new Promise((r) => setTimeout(r, 200));
  t.false(alive(calls(log)[0].pid), 'the silent kubectl was killed');
  await ops.close();
});

test('serviceUrl: a forward whose kubectl died (its pod went) is started again on the next use', async (t) => {
  const { bin, log } = fakeKubectl('dies');
  const { ops } = opsWith(bin);
  const first = await ops.serviceUrl('jaegerQuery');
  await new Promise((r) => setTimeout(r, 500));
  const second = await ops.serviceUrl('jaegerQuery');
  t.is(calls(log).length, 2);
  t.not(second, first);
  t.regex(await (await request(`${second}/api/traces/x`)).body.text(), /^forwarded svc\/jaeger:16686/);
  await ops.close();
  t.false(alive(calls(log)[1].pid));
});
