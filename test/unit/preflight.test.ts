// Preflight with fake probes: each failing condition yields a message and a fix; the real probes
// also run once against this host (which has no container engine) to prove the error is clear.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { compareVersions, hostProbes, runPreflight, type Probes } from '../../lab/preflight.ts';
import { RecordingRunner } from '../../lab/run.ts';
import { checkHost, preflightNeeds } from '../../lab/steps/preflight.ts';
import { ZxRunner } from '../../lab/run.ts';
import { REPO, testConfig, testContext } from '../helpers.ts';

const GiB = 1024 ** 3;
function probes(over: Partial<Probes> = {}): Probes {
  return {
    engine: async () => ({ name: 'docker', cpus: 8, memoryBytes: 16 * GiB }),
    toolVersion: async (tool) => ({ kind: '0.33.0', kubectl: '1.35.8', helm: '3.22.0', istioctl: '1.30.4', minikube: '1.38.1' })[tool],
    sysctl: async (key) => (key.endsWith('watches') ? 524288 : 512),
    portFree: async () => true,
    arch: () => 'amd64',
    platform: () => 'linux',
    runsAmd64: async () => false,
    dataDirProblem: () => undefined,
    ...over,
  };
}
const needs = { tools: ['kind', 'kubectl', 'helm', 'istioctl'], engine: true, dataDir: '/tmp/lab-data', hostPorts: [{ key: 'LAB_HTTP_PORT', port: 8080 }, { key: 'LAB_HTTPS_PORT', port: 8443 }] };
const failures = async (p: Probes, env: Record<string, string> = {}) =>
  (await runPreflight(testConfig(env), p, needs)).filter((o) => o.status === 'fail');

test('a ready host passes every check', async (t) => {
  const all = await runPreflight(testConfig(), probes(), needs);
  t.deepEqual(all.filter((o) => o.status !== 'ok'), []);
  t.true(all.length >= 10);
});

test('no container engine: named, with the fix', async (t) => {
  const [f] = await failures(probes({ engine: async () => ({ error: 'docker is installed but its engine is not reachable (Cannot connect)' }) }));
  t.is(f.name, 'container engine');
  t.regex(f.message, /engine is not reachable/);
  t.regex(f.fix!, /docker info/);
});

test('engine too small for the profile; minimal is suggested', async (t) => {
  const f = await failures(probes({ engine: async () => ({ name: 'podman', cpus: 2, memoryBytes: 4 * GiB }) }), { LAB_PROFILE: 'full' });
  t.deepEqual(f.map((x) => x.name), ['engine CPUs', 'engine memory']);
  t.regex(f[0].message, /podman has 2 CPUs; profile full needs 4/);
  t.regex(f[1].message, /4096 MiB; profile full needs 8192 MiB \(a 8 GiB engine reports ≥ 7618 MiB\)/);
  t.regex(f[1].fix!, /LAB_PROFILE=minimal/);
});

test('an engine set to the profile\'s size passes although it reports a little less than it was given', async (t) => {
  // Docker Desktop set to 8 GiB reports ≈ 7.75 GiB: that must pass for full (8192 MiB), and a
  // 7 GiB engine must not.
  t.deepEqual(await failures(probes({ engine: async () => ({ name: 'docker', cpus: 4, memoryBytes: 7.75 * GiB }) }), { LAB_PROFILE: 'full' }), []);
  const f = await failures(probes({ engine: async () => ({ name: 'docker', cpus: 4, memoryBytes: 7 * GiB }) }), { LAB_PROFILE: 'full' });
  t.deepEqual(f.map((x) => x.name), ['engine memory']);
});

test('with LAB_GITOPS=argocd the engine must also hold Argo CD: an 8 GiB engine is enough for full alone, not with it', async (t) => {
  const engine = probes({ engine: async () => ({ name: 'docker', cpus: 4, memoryBytes: 7.75 * GiB }) });
  t.deepEqual(await failures(engine, { LAB_PROFILE: 'full' }), []);
  const f = await failures(engine, { LAB_PROFILE: 'full', LAB_GITOPS: 'argocd' });
  t.deepEqual(f.map((x) => x.name), ['engine memory']);
  t.regex(f[0].message, /profile full with LAB_GITOPS=argocd needs 9216 MiB/);
  t.regex(f[0].fix!, /LAB_GITOPS=off/);
});

test('inotify limits below what Loki/Alloy need print the sysctl fix', async (t) => {
  const f = await failures(probes({ sysctl: async (k) => (k.endsWith('watches') ? 8192 : 128) }));
  t.deepEqual(f.map((x) => x.fix), ['sudo sysctl -w fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.d/99-lab.conf)', 'sudo sysctl -w fs.inotify.max_user_instances=512 (persist it in /etc/sysctl.d/99-lab.conf)']);
});

test('inotify is not checked off Linux (Docker Desktop VM)', async (t) => {
  const all = await runPreflight(testConfig(), probes({ platform: () => 'darwin', sysctl: async () => 1 }), needs);
  t.false(all.some((o) => o.name.startsWith('fs.inotify')));
});

test('missing and too-old CLIs are installable; busy ports name the setting', async (t) => {
  const f = await failures(
    probes({ toolVersion: async (tool) => ({ kind: '0.20.0', kubectl: '1.35.8', helm: '3.22.0' })[tool], portFree: async (p) => p !== 8443 }),
  );
  t.deepEqual(f.map((x) => [x.name, x.installable ?? null]), [['kind', 'kind'], ['istioctl', 'istioctl'], ['port 8443', null]]);
  t.regex(f[0].message, /kind 0\.20\.0 is older than 0\.33\.0 \(the pinned node images are built for kind v0\.33/);
  t.regex(f[2].fix!, /LAB_HTTPS_PORT/);
});

test('kind: only the release the pinned node images are built for (v0.33.x) is accepted', async (t) => {
  const kindWith = async (v: string) => (await runPreflight(testConfig(), probes({ toolVersion: async (tool) => (tool === 'kind' ? v : '9.9.9') }), needs)).find((o) => o.name === 'kind')!;
  for (const ok of ['0.33.0', '0.33.1']) t.is((await kindWith(ok)).status, 'ok', ok);
  const old = await kindWith('0.32.0');
  t.is(old.status, 'fail');
  t.is(old.installable, 'kind');
  const newer = await kindWith('0.34.0');
  t.is(newer.status, 'fail');
  t.regex(newer.message, /kind 0\.34\.0 is too new: the lab accepts 0\.33\.0 up to, not including, 0\.34\.0/);
  t.regex(newer.fix!, /doctor --install \(installs v0\.33\.0 into \.lab\/bin, used before PATH\)/);
  t.is(newer.installable, 'kind');
});

test('unsupported architecture fails', async (t) => {
  const [f] = await failures(probes({ arch: () => 'riscv64' }));
  t.is(f.name, 'architecture');
});

test('version comparison', (t) => {
  t.true(compareVersions('v1.30.4', '1.29.0') > 0);
  t.true(compareVersions('0.9.0', '0.30.0') < 0);
  t.is(compareVersions('3.22.0+gabc', 'v3.22.0'), 0);
});

test('real probes on this host: no engine is reported clearly, not a crash', async (t) => {
  const p = hostProbes(new ZxRunner(), (n) => n);
  const engine = await p.engine();
  // This machine has the docker CLI but no engine. On a laptop with Docker this test sees an engine.
  if ('error' in engine) t.regex(engine.error, /docker|podman/);
  else t.true(engine.cpus > 0 && engine.memoryBytes > 0);
  t.true(['amd64', 'arm64'].includes(p.arch()));
  t.true(Number.isFinite(await p.sysctl('fs.inotify.max_user_watches')));
  t.is(typeof (await p.portFree(1)), 'boolean');
});

// --- The second `make lab-up`: the lab's own kind cluster holds the ingress ports. Real listeners
// on 127.0.0.1 stand in for docker-proxy; `docker ps` answers from a recorded kind cluster
// (fixtures/kind, whose README says where its format comes from).
const listen = () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); });
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
const dockerPs = (file: string, [http, https]: number[]) =>
  readFileSync(path.join(REPO, 'fixtures', 'kind', file), 'utf8').replaceAll('{{HTTP}}', String(http)).replaceAll('{{HTTPS}}', String(https));

/** Binds two real listeners, points LAB_HTTP(S)_PORT at them, and runs the kind preflight with `docker` answering `answer(ports)`. */
async function withHeldPorts(answer: (ports: number[]) => { stdout?: string; exitCode?: number }, env: Record<string, string> = {}) {
  const servers = [await listen(), await listen()];
  const ports = servers.map(portOf);
  try {
    const cfg = testConfig({ LAB_HTTP_PORT: String(ports[0]), LAB_HTTPS_PORT: String(ports[1]), ...env });
    const runner = new RecordingRunner().on((c) => c.cmd.endsWith('docker') && c.args[0] === 'ps', answer(ports));
    const outcomes = (await checkHost(testContext(cfg, {}, runner).ctx)).filter((o) => o.name.startsWith('port '));
    return { ports, outcomes, runner };
  } finally {
    for (const s of servers) s.close();
  }
}

test("ports held by the lab's own kind cluster pass (a second up, or up --recreate)", async (t) => {
  const { ports, outcomes, runner } = await withHeldPorts((p) => ({ stdout: dockerPs('docker-ps-lab.tsv', p) }));
  t.deepEqual(outcomes.map((o) => o.status), ['ok', 'ok']);
  t.is(outcomes[0].message, `127.0.0.1:${ports[0]} is held by the lab's own kind cluster lab (node lab-worker3 publishes 127.0.0.1:${ports[0]} → 31380)`);
  t.deepEqual(runner.calls.find((c) => c.args[0] === 'ps')?.args, ['ps', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.Label "io.x-k8s.kind.cluster"}}\t{{.Names}}\t{{.Ports}}']);
});

test('ports held by another kind cluster fail, naming it and the two ways out', async (t) => {
  const { ports, outcomes } = await withHeldPorts((p) => ({ stdout: dockerPs('docker-ps-other.tsv', p) }));
  t.deepEqual(outcomes.map((o) => o.status), ['fail', 'fail']);
  t.is(outcomes[0].message, `127.0.0.1:${ports[0]} is in use by kind cluster demo (node demo-worker publishes 127.0.0.1:${ports[0]} → 31380)`);
  t.is(outcomes[0].fix, 'delete that cluster (kind delete cluster --name demo) or set LAB_HTTP_PORT to a free port');
  t.regex(outcomes[1].fix!, /LAB_HTTPS_PORT/);
});

test('the same ports held by something that is not a kind node fail, whatever the cluster name', async (t) => {
  const noKind = await withHeldPorts(() => ({ stdout: '' }));
  t.deepEqual(noKind.outcomes.map((o) => [o.status, o.message]), noKind.ports.map((p) => ['fail', `127.0.0.1:${p} is in use by another program`]));
  t.regex(noKind.outcomes[0].fix!, /lsof -iTCP:\d+ -sTCP:LISTEN\), or set LAB_HTTP_PORT/);
  const noDocker = await withHeldPorts(() => ({ exitCode: 1, stdout: '' }));
  t.deepEqual(noDocker.outcomes.map((o) => o.status), ['fail', 'fail'], 'docker not answering is not proof the lab holds them');
  const otherName = await withHeldPorts((p) => ({ stdout: dockerPs('docker-ps-lab.tsv', p) }), { LAB_CLUSTER_NAME: 'lab2' });
  t.deepEqual(otherName.outcomes.map((o) => o.status), ['fail', 'fail'], "cluster lab is not lab2's");
});

test('arm64: amd64-only images fail preflight, listing them, unless the engine runs amd64 containers', async (t) => {
  const images = ['docker.io/mysql:5.7.29', 'docker.io/weaveworksdemos/carts:0.4.8', 'docker.io/redis:7-alpine'];
  const armNeeds = { ...needs, images };
  let asked = 0;
  const noEmu = await runPreflight(testConfig(), probes({ arch: () => 'arm64', runsAmd64: async () => ((asked += 1), false) }), armNeeds);
  const [f] = noEmu.filter((o) => o.name === 'images for arm64');
  t.is(f.status, 'fail');
  t.regex(f.message, /^2 images the lab runs are published for linux\/amd64 only, and docker cannot run amd64 containers here/);
  t.regex(f.message, /mysql:5\.7\.29, weaveworksdemos\/carts:0\.4\.8$|mysql:5\.7\.29, weaveworksdemos\/carts:0\.4\.8\. No faithful/);
  t.false(f.message.includes('redis'), 'a multi-arch image is not listed');
  t.regex(f.fix!, /Use Rosetta for x86_64\/amd64 emulation on Apple Silicon/);
  t.is(asked, 1);
  const emu = await runPreflight(testConfig(), probes({ arch: () => 'arm64', runsAmd64: async () => true }), armNeeds);
  t.is(emu.find((o) => o.name === 'images for arm64')?.status, 'ok');
  let amdAsked = 0;
  const amd = await runPreflight(testConfig(), probes({ runsAmd64: async () => ((amdAsked += 1), false) }), armNeeds);
  t.false(amd.some((o) => o.name === 'images for arm64'));
  t.is(amdAsked, 0, 'an amd64 host is never probed');
});

test('arm64 with the default settings: the real image list gives the failure before anything is created', async (t) => {
  const cfg = testConfig();
  const runner = new RecordingRunner()
    .on((c) => c.args[0] === 'info', { stdout: JSON.stringify({ NCPU: 8, MemTotal: 16 * GiB }) })
    .on((c) => c.args[0] === 'run', { exitCode: 125, stderr: 'exec /bin/uname: exec format error' });
  const { ctx } = testContext(cfg, {}, runner);
  const outcomes = await runPreflight(cfg, { ...hostProbes(runner, (n) => n), arch: () => 'arm64' }, await preflightNeeds(ctx));
  const f = outcomes.find((o) => o.name === 'images for arm64')!;
  t.is(f.status, 'fail');
  t.regex(f.message, /^12 images .*: miyakz1192\/eng_app:1, mysql:5\.7\.29, weaveworksdemos\/carts:0\.4\.8, /);
  t.deepEqual(runner.calls.find((c) => c.args[0] === 'run')?.args, ['run', '--rm', '--platform', 'linux/amd64', 'docker.io/library/busybox:1.36.1', 'uname', '-m']);
  t.false(existsSync(path.join(cfg.root, '.lab')), 'preflight wrote nothing');
});

test('a data directory you cannot write (made by a rootful Docker) fails with the chown fix', async (t) => {
  const f = await failures(probes({ dataDirProblem: (d) => `you cannot write to ${d} (created by another user, e.g. root by a rootful Docker)` }));
  t.deepEqual(f.map((x) => x.name), ['data directory']);
  t.regex(f[0].fix!, /^sudo chown -R "\$\(id -u\):\$\(id -g\)" /);
});
