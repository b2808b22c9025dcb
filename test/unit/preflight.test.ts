// Preflight with fake probes: each failing condition yields a message and a fix; the real probes
// also run once against this host (which has no container engine) to prove the error is clear.
import test from 'ava';
import { compareVersions, hostProbes, runPreflight, type Probes } from '../../lab/preflight.ts';
import { ZxRunner } from '../../lab/run.ts';
import { testConfig } from '../helpers.ts';

const GiB = 1024 ** 3;
function probes(over: Partial<Probes> = {}): Probes {
  return {
    engine: async () => ({ name: 'docker', cpus: 8, memoryBytes: 16 * GiB }),
    toolVersion: async (tool) => ({ kind: '0.33.0', kubectl: '1.35.8', helm: '3.22.0', istioctl: '1.30.4', minikube: '1.38.1' })[tool],
    sysctl: async (key) => (key.endsWith('watches') ? 524288 : 512),
    portFree: async () => true,
    arch: () => 'amd64',
    platform: () => 'linux',
    ...over,
  };
}
const needs = { tools: ['kind', 'kubectl', 'helm', 'istioctl'], engine: true };
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
  t.regex(f[0].message, /podman has 2 CPUs; profile full needs 6/);
  t.regex(f[1].message, /4096 MiB; profile full needs 14336 MiB/);
  t.regex(f[1].fix!, /LAB_PROFILE=minimal/);
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
  t.regex(f[0].message, /kind 0\.20\.0 is older than 0\.30\.0/);
  t.regex(f[2].fix!, /LAB_HTTPS_PORT/);
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
