// `lab pf`: every forward binds 127.0.0.1 only and goes through the lab's kubeconfig and context;
// the UIs' Services and ports come from lab/observability/endpoints.ts; targets that are not
// installed are skipped with the reason; a busy local port stops everything before it starts;
// the printed lines carry URL and login (passwords only when asked to show them).
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabContext } from '../../lab/context.ts';
import { LabError, UsageError, exitCodeFor } from '../../lab/errors.ts';
import type { ForwardChild, ForwardExit } from '../../lab/forward-supervisor.ts';
import type { ObjRef } from '../../lab/kube-refs.ts';
import { ENDPOINTS } from '../../lab/observability/endpoints.ts';
import { ensureGrafanaAdmin } from '../../lab/observability/grafana-admin.ts';
import { FORWARD_TARGETS, busyPorts, chooseTargets, forward, forwardArgv, uiLines } from '../../lab/port-forward.ts';
import { parse as parseYaml } from 'yaml';
import { PF_DEFAULT_PORTS, PF_TARGET_NAMES } from '../../lab/pf-ports.ts';
import { REPO, testConfig, testContext } from '../helpers.ts';

const target = (name: string) => FORWARD_TARGETS.find((t) => t.name === name)!;

/** The cluster as `lab pf` sees it: these Services exist; `failing` makes every lookup throw. */
function withServices(ctx: LabContext, present: string[]) {
  const asked: string[] = [];
  ctx.kube = () =>
    ({
      async get<T extends KubernetesObject>(ref: ObjRef): Promise<T | undefined> {
        const key = `${ref.namespace}/${ref.name}`;
        asked.push(key);
        return present.includes(key) ? ({ apiVersion: 'v1', kind: 'Service', metadata: { name: ref.name, namespace: ref.namespace } } as T) : undefined;
      },
    }) as unknown as ReturnType<LabContext['kube']>;
  return asked;
}
const svcOf = (name: string) => `${target(name).namespace}/${target(name).service}`;
const ALL = FORWARD_TARGETS.map((t) => `${t.namespace}/${t.service}`);

test('every forward listens on 127.0.0.1 only, with the lab context', (t) => {
  const cfg = testConfig({ LAB_PROVIDER: 'minikube', LAB_HTTP_PORT: '9080' });
  const { ctx } = testContext(cfg);
  t.deepEqual(FORWARD_TARGETS.map((x) => x.name), PF_TARGET_NAMES, 'one target per known name');
  for (const x of FORWARD_TARGETS) {
    const argv = forwardArgv(ctx, x);
    t.deepEqual(argv.slice(1, 5), ['--kubeconfig', cfg.kubeconfig, '--context', 'lab']);
    t.deepEqual(argv.slice(5, 8), ['port-forward', '--address', '127.0.0.1']);
    t.false(argv.some((a) => a === '0.0.0.0' || a.startsWith('--address=')), 'no other address');
  }
  t.deepEqual(forwardArgv(ctx, target('ingress')).slice(-3), ['istio-system', 'svc/istio-ingressgateway', '9080:80']);
});

test("the UIs forward to the Services in endpoints.ts on seed 002's local ports", (t) => {
  const { ctx } = testContext(testConfig());
  const tail = (name: string) => forwardArgv(ctx, target(name)).slice(-4);
  t.deepEqual(tail('grafana'), ['-n', 'monitoring', 'svc/kube-prometheus-stack-grafana', '8000:80']);
  t.deepEqual(tail('prometheus'), ['-n', 'monitoring', 'svc/kube-prometheus-stack-prometheus', '9090:9090']);
  t.deepEqual(tail('alertmanager'), ['-n', 'monitoring', 'svc/kube-prometheus-stack-alertmanager', '9093:9093']);
  t.deepEqual(tail('kiali'), ['-n', 'istio-system', 'svc/kiali', '20001:20001']);
  t.deepEqual(tail('jaeger'), ['-n', 'monitoring', 'svc/jaeger', '16686:16686']);
  // Not retyped: the same objects as the endpoints table.
  for (const [name, e] of [['grafana', ENDPOINTS.grafana], ['kiali', ENDPOINTS.kiali], ['jaeger', ENDPOINTS.jaegerQuery]] as const) {
    t.like(target(name), { namespace: e.namespace, service: e.service, remotePort: e.port, path: e.path });
  }
});

test('LAB_PF_PORTS moves the local side only', (t) => {
  const { ctx } = testContext(testConfig({ LAB_PF_PORTS: 'grafana=3001,kiali=20002' }));
  t.is(forwardArgv(ctx, target('grafana')).at(-1), '3001:80');
  t.is(forwardArgv(ctx, target('kiali')).at(-1), '20002:20001');
  t.is(forwardArgv(ctx, target('jaeger')).at(-1), '16686:16686', 'others keep their defaults');
});

test('no names: targets whose Service is absent are skipped in one line saying why', async (t) => {
  const { ctx, lines } = testContext(testConfig({ LAB_PROFILE: 'minimal' }));
  withServices(ctx, [svcOf('front-end'), svcOf('eng-app')]);
  const chosen = await chooseTargets(ctx, []);
  t.deepEqual(chosen.map((x) => x.name), ['front-end', 'eng-app']);
  t.true(lines.includes('not forwarded: grafana, prometheus, alertmanager, kiali, jaeger — not installed with LAB_PROFILE=minimal'), lines.join('\n'));
  t.true(lines.includes('not forwarded: argocd — not installed with LAB_GITOPS=off'), lines.join('\n'));
  t.true(lines.some((l) => /^ingress: already on http:\/\/127\.0\.0\.1:8080 \(kind maps it\)/.test(l)));
});

test('a component the profile installs but whose Service is missing is reported as such', async (t) => {
  const { ctx, lines } = testContext(testConfig({ LAB_PROFILE: 'standard' }));
  withServices(ctx, ALL.filter((s) => s !== svcOf('kiali')));
  const chosen = await chooseTargets(ctx, []);
  t.false(chosen.some((x) => x.name === 'kiali'));
  t.true(chosen.some((x) => x.name === 'grafana'));
  t.true(lines.includes('not forwarded: kiali — LAB_PROFILE=standard installs it but the Service is missing: is the lab up? (make lab-up)'), lines.join('\n'));
});

test('names given: only those; an unknown one is a usage error (exit 2); a missing one says why', async (t) => {
  const { ctx } = testContext(testConfig({ LAB_PROFILE: 'minimal' }));
  const asked = withServices(ctx, ALL);
  t.deepEqual((await chooseTargets(ctx, ['kiali', 'grafana'])).map((x) => x.name), ['grafana', 'kiali']);
  t.deepEqual(asked, [svcOf('grafana'), svcOf('kiali')], 'only the named Services are looked up');
  const unknown = await t.throwsAsync(chooseTargets(ctx, ['grafana', 'grafna']), { instanceOf: UsageError });
  t.is(exitCodeFor(unknown), 2);
  t.regex(unknown!.message, /unknown port-forward target grafna; use one of: ingress, front-end, eng-app, grafana, prometheus, alertmanager, kiali, jaeger/);
  withServices(ctx, []);
  const missing = await t.throwsAsync(chooseTargets(ctx, ['grafana']), { instanceOf: LabError });
  t.is(missing!.message, 'grafana: monitoring/kube-prometheus-stack-grafana does not exist — not installed with LAB_PROFILE=minimal (LAB_PROFILE=standard or LAB_PROFILE=full installs it)');
});

test('argocd named on a provider that skipped its release (sim, chart not cached): the skip is the reason, not "is the lab up?"', async (t) => {
  const { ctx } = testContext(testConfig({ LAB_PROVIDER: 'sim', LAB_GITOPS: 'argocd' }));
  withServices(ctx, []);
  const missing = await t.throwsAsync(chooseTargets(ctx, ['argocd']), { instanceOf: LabError });
  t.is(missing!.message, 'argocd: argocd/argocd-server does not exist — its step argocd is skipped (sim): chart archive not cached (npm run lab -- charts pull)');
  const off = testContext(testConfig({ LAB_PROVIDER: 'sim' })).ctx;
  withServices(off, []);
  t.regex((await t.throwsAsync(chooseTargets(off, ['argocd'])))!.message, /not installed with LAB_GITOPS=off \(LAB_GITOPS=argocd installs it\)$/);
});

/** Records spawns; each child runs until killed. */
function holdingSpawner() {
  const spawned: string[][] = [];
  const spawn = (argv: string[]): ForwardChild => {
    spawned.push(argv);
    let release!: (e: ForwardExit) => void;
    const exited = new Promise<ForwardExit>((r) => (release = r));
    return { exited, kill: () => release({ code: null, signal: 'SIGTERM' }) };
  };
  return { spawned, spawn };
}

async function listening(): Promise<net.Server & { port: number }> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return Object.assign(srv, { port: (srv.address() as net.AddressInfo).port });
}

test('a busy local port stops everything before it starts, naming target, port and setting', async (t) => {
  const srv = await listening();
  try {
    const { ctx } = testContext(testConfig({ LAB_PF_PORTS: `grafana=${srv.port}` }));
    const { spawned, spawn } = holdingSpawner();
    const err = await t.throwsAsync(forward(ctx, [target('grafana'), target('kiali')], { signal: new AbortController().signal, spawn, write: () => {}, isFree: async (p) => p !== srv.port }), {
      instanceOf: LabError,
    });
    t.regex(err!.message, new RegExp(`^grafana: 127\\.0\\.0\\.1:${srv.port} is already in use .*set LAB_PF_PORTS=grafana=<free port> — nothing was started$`));
    t.deepEqual(spawned, [], 'no forward was started');
    // The real probe sees the listener too, and stops seeing it once it is closed.
    t.is((await busyPorts(ctx, [target('grafana')])).length, 1);
    await new Promise((r) => srv.close(r));
    t.deepEqual(await busyPorts(ctx, [target('grafana')]), []);
  } finally {
    srv.close();
  }
});

test('a default port that LAB_HTTP_PORT took is a usage error naming LAB_PF_PORTS', async (t) => {
  const { ctx } = testContext(testConfig({ LAB_HTTP_PORT: '8000' }));
  const { spawned, spawn } = holdingSpawner();
  const err = await t.throwsAsync(forward(ctx, [target('grafana')], { signal: new AbortController().signal, spawn, write: () => {}, isFree: async () => true }), { instanceOf: UsageError });
  t.is(exitCodeFor(err), 2);
  t.regex(err!.message, /grafana: local port 8000 is LAB_HTTP_PORT \(the ingress\); set LAB_PF_PORTS=grafana=<free port>/);
  t.deepEqual(spawned, []);
});

test('forward prints each line with URL, Service, what and login, runs every forward, and Ctrl-C ends it cleanly', async (t) => {
  const cfg = testConfig();
  const admin = ensureGrafanaAdmin(cfg.root);
  const { ctx, lines } = testContext(cfg);
  const out: string[] = [];
  const { spawned, spawn } = holdingSpawner();
  const abort = new AbortController();
  const run = forward(ctx, [target('grafana'), target('kiali'), target('prometheus')], { signal: abort.signal, spawn, write: (l) => out.push(l), showSecrets: true, isFree: async () => true });
  await new Promise((r) => setImmediate(r));
  t.is(spawned.length, 3);
  abort.abort();
  await t.notThrowsAsync(run);
  t.regex(out[0], new RegExp(`^  grafana +http://127\\.0\\.0\\.1:8000/ +→ monitoring/kube-prometheus-stack-grafana:80 +dashboards.*; login: admin / ${admin.password}$`));
  t.regex(out[1], /^  kiali +http:\/\/127\.0\.0\.1:20001\/kiali +→ istio-system\/kiali:20001 +mesh graph.*; login: anonymous$/);
  t.regex(out[2], /^  prometheus +http:\/\/127\.0\.0\.1:9090\/ +→ monitoring\/kube-prometheus-stack-prometheus:9090 .*; login: none$/);
  t.false(lines.join('\n').includes(admin.password), 'the password never goes to the log');
  t.true(lines.includes('stopped 3 forwards'));
});

test('passwords are shown only when asked (a terminal); otherwise the line says where they are', async (t) => {
  const cfg = testConfig();
  const admin = ensureGrafanaAdmin(cfg.root);
  writeFileSync(`${cfg.root}/eng-app.env`, 'INIT_USER_EMAIL=learner@example.com\nINIT_USER_PASSWD=learner-pass-123\n', { mode: 0o600 });
  const shown = uiLines(cfg, { showSecrets: true }).join('\n');
  const hidden = uiLines(cfg, { showSecrets: false }).join('\n');
  t.true(shown.includes(`login: admin / ${admin.password}`));
  t.true(shown.includes('login: learner@example.com / learner-pass-123'));
  t.false(hidden.includes(admin.password));
  t.false(hidden.includes('learner-pass-123'));
  t.true(hidden.includes('login: admin / (password in grafana-admin.env)'));
  t.true(hidden.includes('login: learner@example.com / (password in eng-app.env)'));
});

test('uiLines: every UI and app the profile installs, with URL and login; none of the stack for minimal', (t) => {
  const standard = uiLines(testConfig({ LAB_PROFILE: 'standard' }), { showSecrets: false });
  for (const name of ['front-end', 'eng-app', 'grafana', 'prometheus', 'alertmanager', 'kiali', 'jaeger']) t.true(standard.some((l) => l.startsWith(`  ${name} `)), name);
  t.false(standard.some((l) => l.startsWith('  ingress ')), 'the summary prints the ingress itself');
  t.true(standard.some((l) => l.includes('http://127.0.0.1:16686/') && l.includes('login: none')));
  t.true(standard.some((l) => l.includes('login: (grafana-admin.env is created by the next lab up)')), 'no file yet: says so, invents nothing');
  const minimal = uiLines(testConfig({ LAB_PROFILE: 'minimal' }), { showSecrets: false });
  t.deepEqual(minimal.slice(1).map((l) => l.trim().split(' ')[0]), ['front-end', 'eng-app']);
  // sim without the chart archives: the releases were skipped, so their UIs are not listed.
  const onSim = uiLines(testConfig({ LAB_PROFILE: 'standard' }), { showSecrets: false, skippedSteps: ['kube-prometheus-stack', 'jaeger', 'kiali'] });
  t.deepEqual(onSim.slice(1).map((l) => l.trim().split(' ')[0]), ['front-end', 'eng-app']);
  const kialiOnly = uiLines(testConfig({ LAB_PROFILE: 'standard' }), { showSecrets: false, skippedSteps: ['kube-prometheus-stack', 'jaeger'] });
  t.deepEqual(kialiOnly.slice(1).map((l) => l.trim().split(' ')[0]).filter((n) => n !== 'note:'), ['front-end', 'eng-app', 'kiali']);
});

test("moving Grafana or Jaeger prints a note that Kiali's links use the default ports", async (t) => {
  const moved = uiLines(testConfig({ LAB_PF_PORTS: 'grafana=3001' }), { showSecrets: false });
  t.true(moved.some((l) => /note: Kiali's links .*grafana on 3001 instead of 8000/.test(l)));
  t.false(uiLines(testConfig({ LAB_PF_PORTS: 'kiali=20002' }), { showSecrets: false }).some((l) => l.includes('note:')), 'moving Kiali itself needs no note');
  const { ctx } = testContext(testConfig({ LAB_PF_PORTS: 'jaeger=16687' }));
  const out: string[] = [];
  const abort = new AbortController();
  abort.abort();
  await forward(ctx, [target('kiali')], { signal: abort.signal, spawn: holdingSpawner().spawn, write: (l) => out.push(l), isFree: async () => true });
  t.true(out.some((l) => l.includes('jaeger on 16687 instead of 16686')));
});

test("Kiali's values link to Grafana and Jaeger at lab pf's default local ports (what the note assumes)", (t) => {
  const kiali = parseYaml(readFileSync(`${REPO}/manifests/observability/values/kiali.yaml`, 'utf8'));
  t.is(kiali.external_services.grafana.external_url, `http://127.0.0.1:${PF_DEFAULT_PORTS.grafana}`);
  t.is(kiali.external_services.tracing.external_url, `http://127.0.0.1:${PF_DEFAULT_PORTS.jaeger}`);
  t.is(kiali.server.web_root, target('kiali').path, "the URL lab pf prints is Kiali's web root");
});
