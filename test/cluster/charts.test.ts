// The chart machinery against a real control plane (sim) and a real helm: a chart repository served
// on 127.0.0.1 (the lab's own test chart, packaged and indexed by helm here), pulled into
// .lab/cache/charts and checked by sha256, installed with `helm upgrade --install --wait` (its CRD
// applied server-side first), reconciled (a second run writes no new revision; changed values do),
// and refused or explained when wrong: a tampered archive, an uncached archive on sim, and a release
// whose pods cannot be scheduled (the failing pod's reason is in the error).
import test from 'ava';
import type { V1Deployment, V1Namespace } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { archivePath, cachedArchive, ensureArchive, sha256File } from '../../lab/charts/archive.ts';
import { uninstallLabReleases, type HelmRelease } from '../../lab/charts/release.ts';
import { loadConfig } from '../../lab/config.ts';
import { createContext, type LabContext } from '../../lab/context.ts';
import { LabError } from '../../lab/errors.ts';
import { MANAGED_BY } from '../../lab/kube.ts';
import { memoryOutput } from '../../lab/log.ts';
import { runPipeline } from '../../lab/pipeline.ts';
import { ZxRunner } from '../../lab/run.ts';
import { chartStep } from '../../lab/steps/chart.ts';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import type { ChartPin } from '../../lab/versions.ts';
import { REPO, tempDir } from '../helpers.ts';
import { kube, lab, requireTestenv, simProject } from './harness.ts';

const P = simProject(`charts-${process.pid.toString(36)}`, { LAB_PROFILE: 'minimal', LAB_WORKERS: '4' });
const helm = () => path.join(testenvBinDir(), 'helm');
let server: Server;
let pin: ChartPin;
let ctx: LabContext;

const release = (values: Record<string, unknown>, timeout?: string): HelmRelease => ({
  spec: { release: 'labtest', chart: 'kube-prometheus-stack', namespace: 'lab-test' },
  pin,
  values,
  timeout,
});
const stepFor = (r: HelmRelease) => chartStep({ key: 'prometheusStack', title: 'test release', needs: [], release: () => r, enabled: () => true });
const helmHistory = () => JSON.parse(spawnSync(helm(), ['history', 'labtest', '-n', 'lab-test', '-o', 'json', '--kubeconfig', P.kubeconfig, '--kube-context', P.context], { encoding: 'utf8' }).stdout || '[]') as Array<{ revision: number }>;

test.before(async () => {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
  const repoDir = tempDir('lab-chart-repo-');
  const pkg = spawnSync(helm(), ['package', path.join(REPO, 'fixtures', 'charts', 'lab-test'), '-d', repoDir], { encoding: 'utf8' });
  if (pkg.status !== 0) throw new Error(pkg.stderr);
  server = createServer((req, res) => {
    try {
      res.end(readFileSync(path.join(repoDir, path.basename(req.url ?? '/'))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idx = spawnSync(helm(), ['repo', 'index', repoDir, '--url', url], { encoding: 'utf8' });
  if (idx.status !== 0) throw new Error(idx.stderr);
  pin = { chart: 'lab-test', version: '0.1.0', appVersion: '1.0', repo: { name: 'local', url }, sha256: sha256File(path.join(repoDir, 'lab-test-0.1.0.tgz')), digestSource: 'packaged by the test', source: 'fixtures/charts/lab-test' };
  const up = lab(P, ['up']);
  if (up.code !== 0) throw new Error(`lab up failed:\n${up.err}`);
  const cfg = loadConfig({ root: P.root, env: { ...P.env }, envFile: path.join(P.root, '.env') });
  const out = memoryOutput();
  ctx = createContext({ cfg, log: out.log, status: out.status, run: new ZxRunner(), flags: {} });
});

test.after.always(() => {
  server?.close();
  lab(P, ['down', '--purge', '--yes']);
});

test.serial('on sim an uncached archive skips the release visibly, saying how to cache it', (t) => {
  t.is(stepFor(release({ replicas: 1 })).skipReason!(ctx), 'skipped (sim): chart archive not cached (npm run lab -- charts pull)');
});

test.serial('pull: helm pull from the repository into .lab/cache/charts, sha256 checked; then the step is not skipped', async (t) => {
  const file = await ensureArchive(ctx, pin);
  t.is(file, archivePath(ctx.cfg.stateDir, pin));
  t.is(sha256File(file), pin.sha256);
  t.is(stepFor(release({ replicas: 1 })).skipReason!(ctx), undefined);
});

test.serial('install: CRD server-side, helm --wait until ready; a second run writes no new revision', async (t) => {
  const step = stepFor(release({ replicas: 2, nodegroup: 'system' }));
  t.false((await step.check(ctx)).done);
  const first = await runPipeline(ctx, [step]);
  t.is(first[0].result, 'applied');
  const k = kube(P);
  t.truthy(await k.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.test.cloud-native-lab.dev' }));
  const dep = await k.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'lab-test', name: 'labtest' });
  t.is(dep?.status?.availableReplicas, 2);
  const again = await runPipeline(ctx, [step]);
  t.is(again[0].result, 'unchanged');
  t.is(helmHistory().length, 1, 'no second revision');
});

test.serial('changed values are drift (named by key path) and upgrade the release', async (t) => {
  const step = stepFor(release({ replicas: 3, nodegroup: 'system' }));
  const before = await step.check(ctx);
  t.false(before.done);
  t.is(before.detail, 'release labtest values differ at replicas');
  t.is((await runPipeline(ctx, [step]))[0].result, 'applied');
  t.is(helmHistory().length, 2);
  t.true((await step.check(ctx)).done);
});

test.serial("a release into a namespace that exists leaves it as it is: its labels stay (the loadtester in sock-shop, made with istio-injection)", async (t) => {
  const k = kube(P);
  await ctx.kube().apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab-meshed', labels: { 'istio-injection': 'enabled', ...MANAGED_BY } } }]);
  const meshed: HelmRelease = { spec: { release: 'labmesh', chart: 'kube-prometheus-stack', namespace: 'lab-meshed' }, pin, values: { replicas: 1, nodegroup: 'system' } };
  try {
    t.is((await runPipeline(ctx, [stepFor(meshed)]))[0].result, 'applied');
    const ns = await k.get<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: 'lab-meshed' });
    t.is(ns?.metadata?.labels?.['istio-injection'], 'enabled', 'a bare Namespace applied with the same field manager would drop it');
  } finally {
    spawnSync(helm(), ['uninstall', 'labmesh', '-n', 'lab-meshed', '--wait', '--kubeconfig', P.kubeconfig, '--kube-context', P.context], { encoding: 'utf8' });
  }
});

test.serial('a tampered archive is refused with both digests and the fix', (t) => {
  const file = archivePath(ctx.cfg.stateDir, pin);
  const good = readFileSync(file);
  writeFileSync(file, Buffer.concat([good, Buffer.from('x')]));
  try {
    const err = t.throws(() => cachedArchive(ctx.cfg.stateDir, pin), { instanceOf: LabError });
    t.regex(err!.message, /does not match its pin \(lab-test 0\.1\.0\)/);
    t.regex((err as LabError).detail ?? '', new RegExp(`expected sha256 ${pin.sha256}`));
    t.regex((err as LabError).detail ?? '', /delete it and run again/);
  } finally {
    writeFileSync(file, good);
  }
});

test.serial('pods that cannot be scheduled: helm --wait fails and the error names the pod and the scheduler\'s reason', async (t) => {
  const step = stepFor(release({ replicas: 1, nodegroup: 'nowhere' }, '20s'));
  const err = await t.throwsAsync(runPipeline(ctx, [step]));
  const detail = `${err!.message}\n${(err as LabError).detail ?? ''}\n${((err as LabError).cause as LabError | undefined)?.detail ?? ''}`;
  t.regex(detail, /helm could not install release lab-test\/labtest/);
  t.regex(detail, /labtest-[a-z0-9]+-[a-z0-9]+: Pending \(0\/\d+ nodes are available: .*node affinity\/selector/);
});

test.serial("uninstallLabReleases removes the lab's releases (by their label) and leaves a release the lab did not install", async (t) => {
  // A release of someone else's in another namespace: installed by plain helm, no lab label.
  const other = spawnSync(helm(), ['install', 'theirs', archivePath(ctx.cfg.stateDir, pin), '-n', 'theirs', '--create-namespace', '--set', 'nodegroup=system', '--kubeconfig', P.kubeconfig, '--kube-context', P.context], { encoding: 'utf8' });
  t.is(other.status, 0, other.stderr);
  const done = await uninstallLabReleases(ctx);
  t.deepEqual(done, ['lab-test/labtest']);
  const left = JSON.parse(spawnSync(helm(), ['list', '-A', '-o', 'json', '--kubeconfig', P.kubeconfig, '--kube-context', P.context], { encoding: 'utf8' }).stdout) as Array<{ name: string }>;
  t.deepEqual(left.map((r) => r.name), ['theirs']);
  t.truthy(await kube(P).get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'widgets.test.cloud-native-lab.dev' }), 'CRDs stay');
});
