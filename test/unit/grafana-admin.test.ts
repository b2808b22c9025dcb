// Grafana's admin login: generated once into <root>/grafana-admin.env (0600), read on every later
// run and never regenerated, refused when too open or malformed; the Secret the chart reads.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, exitCodeFor } from '../../lab/errors.ts';
import { MANAGED_BY } from '../../lab/kube-refs.ts';
import { MONITORING_NAMESPACE } from '../../lab/observability/endpoints.ts';
import {
  GRAFANA_ADMIN_SECRET,
  buildGrafanaAdminSecret,
  ensureGrafanaAdmin,
  generatePassword,
  grafanaAdminFile,
  placeholderGrafanaAdmin,
  readGrafanaAdmin,
} from '../../lab/observability/grafana-admin.ts';
import { REPO, tempDir } from '../helpers.ts';
import { seededRandom } from '../seeded-random.ts';

const write = (root: string, text: string, mode = 0o600) => {
  const file = grafanaAdminFile(root);
  writeFileSync(file, text, { mode });
  chmodSync(file, mode); // the umask may have removed bits; set exactly what the case needs
  return file;
};

test('first use creates grafana-admin.env, mode 0600, with a random URL-safe password of ≥ 24 characters', (t) => {
  const root = tempDir();
  t.is(readGrafanaAdmin(root), undefined, 'nothing there yet');
  const logs: string[] = [];
  const admin = ensureGrafanaAdmin(root, (m) => logs.push(m));
  const file = path.join(root, 'grafana-admin.env');
  t.is(admin.file, file);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(admin.user, 'admin');
  t.true(admin.password.length >= 24, admin.password);
  t.regex(admin.password, /^[A-Za-z0-9_-]+$/);
  t.regex(readFileSync(file, 'utf8'), /^GRAFANA_ADMIN_USER=admin$/m);
  t.true(readFileSync(file, 'utf8').includes(`GRAFANA_ADMIN_PASSWORD=${admin.password}\n`));
  t.is(logs.length, 1);
  t.false(logs[0].includes(admin.password), 'the log line names the file, never the password');
  t.not(ensureGrafanaAdmin(tempDir()).password, admin.password, 'another project gets another password');
});

test('a second run reads the same password and never generates a new one', (t) => {
  const root = tempDir();
  const first = ensureGrafanaAdmin(root);
  const again = ensureGrafanaAdmin(root, () => t.fail('nothing new is created'), () => {
    throw new Error('must not regenerate');
  });
  t.deepEqual(again, first);
  // A password the user chose is kept as written (quotes and all, as dotenv reads them).
  write(root, 'GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD="my own # secret"\n');
  t.is(ensureGrafanaAdmin(root).password, 'my own # secret');
});

test('the generated password is 32 base64url characters from 24 random bytes', (t) => {
  const rnd = seededRandom(10);
  const bytes = Buffer.from(Array.from({ length: 24 }, () => Math.floor(rnd() * 256)));
  t.is(generatePassword(() => bytes), bytes.toString('base64url'));
  t.is(generatePassword().length, 32);
  t.not(generatePassword(), generatePassword());
});

test('a file readable by group or others is refused, naming the file and chmod 600; 0400 is fine', (t) => {
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    const root = tempDir();
    const file = write(root, 'GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD=s3cret-enough-for-a-lab-000\n', mode);
    const err = t.throws(() => ensureGrafanaAdmin(root), { instanceOf: UsageError }, mode.toString(8));
    t.is(exitCodeFor(err), 2);
    t.true(err!.message.includes(file));
    t.true(err!.message.includes(`chmod 600 ${file}`));
    t.true(err!.message.includes(`mode 0${mode.toString(8)}`));
    t.true(readFileSync(file, 'utf8').includes('s3cret-enough-for-a-lab-000'), 'the file is left as it was');
  }
  const root = tempDir();
  write(root, 'GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD=s3cret-enough-for-a-lab-000\n', 0o400);
  t.is(readGrafanaAdmin(root)?.password, 's3cret-enough-for-a-lab-000');
});

const MALFORMED: Array<[string, string, RegExp]> = [
  ['no password', 'GRAFANA_ADMIN_USER=admin\n', /GRAFANA_ADMIN_PASSWORD is missing/],
  ['empty password', 'GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD=\n', /GRAFANA_ADMIN_PASSWORD is empty/],
  ['no user', 'GRAFANA_ADMIN_PASSWORD=abcdefghijklmnopqrstuvwxyz\n', /GRAFANA_ADMIN_USER is missing/],
  ['a typo', 'GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASWORD=abcdefghijklmnopqrstuvwxyz\n', /GRAFANA_ADMIN_PASWORD is not a key the lab reads/],
  ['not KEY=VALUE', 'GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD=abcdefghijklmnopqrstuvwxyz\nthis is not a setting\n', /grafana-admin\.env:3 is not KEY=VALUE/],
  ["the chart's well-known default", 'GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD=prom-operator\n', /well-known default/],
];

for (const [name, text, want] of MALFORMED) {
  test(`a malformed file is refused (${name}), naming the file and the fix`, (t) => {
    const root = tempDir();
    const file = write(root, text);
    const err = t.throws(() => ensureGrafanaAdmin(root), { instanceOf: UsageError });
    t.regex(err!.message, want);
    t.true(err!.message.includes(file));
    t.regex(err!.hint ?? '', /Fix .*grafana-admin\.env .*or delete it/);
    t.is(readFileSync(file, 'utf8'), text, 'never rewritten');
  });
}

test('a well-formed file passes the same checks (they are not refusing everything)', (t) => {
  const root = tempDir();
  write(root, '# mine\nexport GRAFANA_ADMIN_USER=admin\nGRAFANA_ADMIN_PASSWORD=abcdefghijklmnopqrstuvwxyz\n');
  t.deepEqual(readGrafanaAdmin(root), { user: 'admin', password: 'abcdefghijklmnopqrstuvwxyz', file: grafanaAdminFile(root) });
});

test("the Secret is monitoring/grafana-admin with the chart's existingSecret keys, labelled as the lab's", (t) => {
  const s = buildGrafanaAdminSecret({ user: 'admin', password: 'pa$$-wörd' });
  t.is(s.apiVersion, 'v1');
  t.is(s.kind, 'Secret');
  t.is(s.metadata?.name, GRAFANA_ADMIN_SECRET);
  t.is(s.metadata?.name, 'grafana-admin');
  t.is(s.metadata?.namespace, MONITORING_NAMESPACE);
  t.like(s.metadata?.labels ?? {}, MANAGED_BY);
  t.is(s.type, 'Opaque');
  t.deepEqual(Object.keys(s.data ?? {}).sort(), ['admin-password', 'admin-user']);
  t.is(Buffer.from(s.data!['admin-user'], 'base64').toString('utf8'), 'admin');
  t.is(Buffer.from(s.data!['admin-password'], 'base64').toString('utf8'), 'pa$$-wörd');
  t.is(s.stringData, undefined, 'data, not stringData (the drift check needs fields the API returns)');
});

test('render/plan credentials carry no real password', (t) => {
  const root = tempDir();
  const real = ensureGrafanaAdmin(root);
  const shown = buildGrafanaAdminSecret(placeholderGrafanaAdmin());
  t.false(JSON.stringify(shown).includes(Buffer.from(real.password).toString('base64')));
  t.regex(Buffer.from(shown.data!['admin-password'], 'base64').toString(), /grafana-admin\.env/);
});

test('git ignores grafana-admin.env', (t) => {
  const r = spawnSync('git', ['check-ignore', '-q', 'grafana-admin.env'], { cwd: REPO });
  t.is(r.status, 0, 'git check-ignore says it is ignored');
  t.not(spawnSync('git', ['check-ignore', '-q', 'grafana-admin.env.example'], { cwd: REPO }).status, 0, 'the probe can say "not ignored"');
});
