// LAB_PF_PORTS through loadConfig (as .env, environment or --pf-ports), and through the real CLI:
// each bad value is a UsageError (exit 2) naming LAB_PF_PORTS and the fix; a good one moves only
// the ports it names.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lab/config.ts';
import { UsageError, exitCodeFor } from '../../lab/errors.ts';
import { PF_DEFAULT_PORTS, pfLocalPort } from '../../lab/pf-ports.ts';
import { LAB_MJS, LAB_NODE, tempDir } from '../helpers.ts';

const load = (env: Record<string, string>, flags: Record<string, unknown> = {}) => {
  const root = tempDir();
  return loadConfig({ root, env, envFile: path.join(root, '.env'), flags });
};

test('a valid value moves the ports it names; spaces around entries are fine; empty = defaults', (t) => {
  const cfg = load({ LAB_PF_PORTS: ' grafana=3001 , kiali=20002,' });
  t.deepEqual(cfg.pfPorts, { grafana: 3001, kiali: 20002 });
  t.is(pfLocalPort(cfg, 'grafana'), 3001);
  t.is(pfLocalPort(cfg, 'jaeger'), PF_DEFAULT_PORTS.jaeger);
  t.is(pfLocalPort(cfg, 'ingress'), cfg.httpPort);
  t.deepEqual(load({}).pfPorts, {});
  t.deepEqual(load({ LAB_PF_PORTS: '' }).pfPorts, {});
});

test('the flag --pf-ports and .env reach the same setting, with the usual precedence', (t) => {
  t.deepEqual(load({ LAB_PF_PORTS: 'grafana=3001' }, { 'pf-ports': 'grafana=3002' }).pfPorts, { grafana: 3002 });
  const root = tempDir();
  writeFileSync(path.join(root, '.env'), 'LAB_PF_PORTS=prometheus=19090\n');
  t.deepEqual(loadConfig({ root, env: {}, envFile: path.join(root, '.env') }).pfPorts, { prometheus: 19090 });
});

const BAD: Array<[string, Record<string, string>, RegExp]> = [
  ['an unknown name, with a suggestion', { LAB_PF_PORTS: 'grafna=3001' }, /LAB_PF_PORTS="grafna=3001" \(from environment\): "grafna" is not a target of lab pf \(did you mean grafana\?\); use one of: front-end, eng-app, grafana/],
  ['not name=port', { LAB_PF_PORTS: 'grafana' }, /"grafana" is not name=port; write it like LAB_PF_PORTS=grafana=3001,kiali=20002/],
  ['a port that is not a number', { LAB_PF_PORTS: 'grafana=abc' }, /grafana=abc is not a TCP port; give a whole number from 1 to 65535/],
  ['a port out of range', { LAB_PF_PORTS: 'kiali=70000' }, /kiali=70000 is not a TCP port/],
  ['port zero', { LAB_PF_PORTS: 'kiali=0' }, /kiali=0 is not a TCP port/],
  ['two targets on one port', { LAB_PF_PORTS: 'grafana=3001,kiali=3001' }, /grafana and kiali would both listen on 127\.0\.0\.1:3001; give one of them another port/],
  ["onto another target's default", { LAB_PF_PORTS: 'grafana=3000' }, /eng-app and grafana would both listen on 127\.0\.0\.1:3000; give grafana another port/],
  ['the same name twice', { LAB_PF_PORTS: 'grafana=3001,grafana=3002' }, /grafana is given twice; keep one grafana=port/],
  ['LAB_HTTP_PORT', { LAB_PF_PORTS: 'grafana=8080' }, /grafana=8080 is LAB_HTTP_PORT \(the ingress\); choose another port for grafana/],
  ['LAB_HTTPS_PORT (moved)', { LAB_HTTPS_PORT: '9443', LAB_PF_PORTS: 'jaeger=9443' }, /jaeger=9443 is LAB_HTTPS_PORT/],
  ['the ingress', { LAB_PF_PORTS: 'ingress=81' }, /the ingress is forwarded to LAB_HTTP_PORT; remove ingress=81 from LAB_PF_PORTS and set LAB_HTTP_PORT instead/],
];

for (const [name, env, want] of BAD) {
  test(`LAB_PF_PORTS: ${name} → usage error (exit 2)`, (t) => {
    const err = t.throws(() => load(env), { instanceOf: UsageError });
    t.is(exitCodeFor(err), 2);
    t.regex(err!.message, want);
    t.regex(err!.message, /LAB_PF_PORTS/);
  });
}

test('every problem at once', (t) => {
  const err = t.throws(() => load({ LAB_PF_PORTS: 'grafna=1,kiali=x,jaeger=8080' }), { instanceOf: UsageError });
  t.is(err!.problems.length, 3, err!.message);
});

function lab(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_')));
  return spawnSync(LAB_NODE, [LAB_MJS, ...args], { cwd: tempDir(), env: { ...clean, CI: 'true', ...env }, encoding: 'utf8', timeout: 60_000 });
}

test('the CLI: a bad LAB_PF_PORTS and an unknown target both exit 2 with the fix; nothing is forwarded', (t) => {
  const bad = lab(['pf', '--pf-ports', 'grafana=99999']);
  t.is(bad.status, 2, bad.stderr);
  t.regex(bad.stderr, /ERROR: LAB_PF_PORTS="grafana=99999" \(from flag\): grafana=99999 is not a TCP port/);
  const unknown = lab(['pf', 'grafana', 'nosuch']);
  t.is(unknown.status, 2, unknown.stderr);
  t.regex(unknown.stderr, /ERROR: unknown port-forward target nosuch; use one of: ingress, front-end, eng-app, grafana, prometheus, alertmanager, kiali, jaeger/);
});
