// Table tests over fixtures/config: each invalid file names the messages it must produce, each
// valid file the values it must yield. Also: precedence, and .env.example documents every key.
import test from 'ava';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lab/config.ts';
import { KEYS } from '../../lab/config-keys.ts';
import { UsageError } from '../../lab/errors.ts';
import { REPO, tempDir } from '../helpers.ts';

const dir = path.join(REPO, 'fixtures', 'config');
const load = (file: string, env: Record<string, string> = {}, flags: Record<string, unknown> = {}) =>
  loadConfig({ root: REPO, env, envFile: file, flags });

const expectations = (file: string, tag: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`# ${tag}: `))
    .map((l) => l.slice(tag.length + 4));

const invalid = readdirSync(path.join(dir, 'invalid'));
test('there are at least 20 invalid fixtures', (t) => {
  t.true(invalid.length >= 20, `${invalid.length}`);
});

for (const name of invalid) {
  test(`invalid: ${name}`, (t) => {
    const file = path.join(dir, 'invalid', name);
    const err = t.throws(() => load(file), { instanceOf: UsageError });
    const wants = expectations(file, 'expect');
    t.true(wants.length > 0, 'fixture names what it expects');
    for (const want of wants) t.regex(err!.message, new RegExp(want));
  });
}

for (const name of readdirSync(path.join(dir, 'valid'))) {
  test(`valid: ${name}`, (t) => {
    const file = path.join(dir, 'valid', name);
    const cfg = load(file) as unknown as Record<string, unknown>;
    const [want] = expectations(file, 'expect-ok');
    t.truthy(want, 'fixture names what it expects');
    for (const pair of want.split(' ')) {
      const [key, value] = pair.split('=');
      const actual = key === 'groups' ? (cfg.workerGroups as string[]).join(',') : String(cfg[key]);
      t.is(actual, value, key);
    }
  });
}

test('precedence: defaults < .env < environment < flags', (t) => {
  const root = tempDir();
  const file = path.join(root, '.env');
  writeFileSync(file, 'LAB_WORKERS=5\nLAB_HTTP_PORT=9000\nLAB_HTTPS_PORT=9443\n');
  const fromFile = loadConfig({ root, env: {}, envFile: file });
  t.is(fromFile.workers, 5);
  t.is(fromFile.httpPort, 9000);
  const fromEnv = loadConfig({ root, env: { LAB_WORKERS: '6' }, envFile: file });
  t.is(fromEnv.workers, 6);
  t.is(fromEnv.httpPort, 9000);
  const fromFlag = loadConfig({ root, env: { LAB_WORKERS: '6' }, envFile: file, flags: { workers: '7', 'http-port': '9100' } });
  t.is(fromFlag.workers, 7);
  t.is(fromFlag.httpPort, 9100);
  t.is(fromFlag.httpsPort, 9443);
  t.is(fromFlag.dataDir, path.join(root, '.lab', 'data'), 'relative paths resolve against the project');
  t.is(fromFlag.kubeconfig, path.join(root, '.lab', 'kubeconfig'));
});

test('all problems are reported at once, none created', (t) => {
  const root = tempDir();
  const err = t.throws(() => loadConfig({ root, env: { LAB_PROVIDER: 'x', LAB_WORKERS: '0', LAB_CPUS: 'z' }, envFile: path.join(root, '.env') }), {
    instanceOf: UsageError,
  });
  t.is(err!.problems.length, 3);
  t.deepEqual(readdirSync(root), [], 'validation wrote nothing');
});

test('.env.example documents every key, and only known keys', (t) => {
  const example = readFileSync(path.join(REPO, '.env.example'), 'utf8');
  const keys = [...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]);
  t.deepEqual(keys.sort(), KEYS.map((k) => k.key).sort());
  t.notThrows(() => load(path.join(REPO, '.env.example')), 'the example itself is valid');
});
