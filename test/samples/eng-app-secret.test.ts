// eng-app.env → Secret: dotenv parsing, and usage errors that list every problem with the file
// name and the fix.
import test from 'ava';
import path from 'node:path';
import { UsageError } from '../../lab/errors.ts';
import { buildEngAppSecret, ENG_APP_SECRET_KEYS, readEngAppEnv } from '../../lab/samples/eng-app-secret.ts';
import { REPO } from '../helpers.ts';

const fixture = (name: string) => path.join(REPO, 'fixtures', 'samples', name);
const EXAMPLE = path.join(REPO, 'manifests', 'eng-app', 'eng-app.env.example');
const decode = (data: Record<string, string>) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
const valid = () => readEngAppEnv(EXAMPLE);
const fails = (values: Record<string, string>, source = 'test.env') => {
  try {
    buildEngAppSecret(values, source);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('no UsageError');
};

test('the seed\'s eight keys', (t) => {
  t.deepEqual([...ENG_APP_SECRET_KEYS].sort(), [
    'DATABASE_DEV_HOST', 'DATABASE_DEV_PASSWORD', 'DATABASE_DEV_USER', 'INIT_USER_EMAIL',
    'INIT_USER_MODE', 'INIT_USER_PASSWD', 'MYSQL_ROOT_PASSWORD', 'SENTENCE_FILE_PATH',
  ]);
});

test('eng-app.env.example is complete and valid, and points the app at /mnt/sentence_data.txt', (t) => {
  const values = valid();
  t.deepEqual(Object.keys(values).sort(), [...ENG_APP_SECRET_KEYS].sort());
  t.is(values.SENTENCE_FILE_PATH, '/mnt/sentence_data.txt');
  t.is(values.DATABASE_DEV_HOST, 'eng-app-mysql-service');
  t.notThrows(() => buildEngAppSecret(values, EXAMPLE));
});

test('the Secret: eng-app/eng-app-secret, Opaque, base64 data of every key (extra keys kept), no stringData', (t) => {
  const s = buildEngAppSecret(readEngAppEnv(fixture('eng-app.quoting.env')), 'eng-app.quoting.env');
  t.like(s, { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'eng-app-secret', namespace: 'eng-app' } });
  t.is(s.stringData, undefined);
  t.like(decode(s.data!), { MYSQL_DATABASE: 'eng_app_development', DATABASE_DEV_USER: 'root' });
  t.deepEqual(Object.keys(s.data!), [...Object.keys(s.data!)].sort(), 'keys sorted: stable output');
});

test('dotenv forms: quotes, `export`, comments, spaces around =, leading spaces', (t) => {
  const v = readEngAppEnv(fixture('eng-app.quoting.env'));
  t.is(v.MYSQL_ROOT_PASSWORD, 'p#ss word', 'export prefix + double quotes keep # and spaces');
  t.is(v.DATABASE_DEV_PASSWORD, 'p#ss word', 'single quotes');
  t.is(v.DATABASE_DEV_USER, 'root', 'trailing comment dropped');
  t.is(v.DATABASE_DEV_HOST, 'eng-app-mysql-service.eng-app.svc.cluster.local', 'spaces around =');
  t.is(v.INIT_USER_EMAIL, 'learner@example.com', 'leading spaces');
  t.is(v.INIT_USER_PASSWD, 'unquoted', 'an unquoted # starts a comment (documented in the example)');
  t.is(v.SENTENCE_FILE_PATH, '/mnt/sentence_data.txt');
});

test('missing and empty keys: one error naming every key, the file and the fix', (t) => {
  const file = fixture('eng-app.missing.env');
  const err = fails(readEngAppEnv(file), file);
  for (const key of ['INIT_USER_EMAIL', 'INIT_USER_PASSWD', 'SENTENCE_FILE_PATH', 'DATABASE_DEV_USER', 'INIT_USER_MODE']) {
    t.true(err.message.includes(key), key);
  }
  t.true(err.problems.every((p) => p.startsWith(`${file}: `)), err.problems.join('\n'));
  t.regex(err.message, /missing INIT_USER_EMAIL, INIT_USER_PASSWD, SENTENCE_FILE_PATH/);
  t.regex(err.message, /empty DATABASE_DEV_USER, INIT_USER_MODE/);
  t.regex(err.message, /copy manifests\/eng-app\/eng-app\.env\.example to eng-app\.env/);
  t.is(err.hint, 'copy manifests/eng-app/eng-app.env.example to eng-app.env and edit the values');
});

test('an empty file reports all eight keys missing', (t) => {
  const err = fails({}, 'eng-app.env');
  for (const key of ENG_APP_SECRET_KEYS) t.true(err.message.includes(key), key);
});

test('a missing file is a usage error naming it and the fix', (t) => {
  const err = t.throws(() => readEngAppEnv('/nonexistent/eng-app.env'), { instanceOf: UsageError });
  t.regex(err!.message, /\/nonexistent\/eng-app\.env does not exist: copy manifests\/eng-app\/eng-app\.env\.example to eng-app\.env/);
});

test('placeholders left in: host, path and password problems reported together', (t) => {
  const err = fails(readEngAppEnv(fixture('eng-app.placeholders.env')), 'eng-app.env');
  t.is(err.problems.length, 3, err.message);
  t.regex(err.message, /DATABASE_DEV_HOST=host-or-ip-of-mysql .*set DATABASE_DEV_HOST=eng-app-mysql-service/);
  t.regex(err.message, /SENTENCE_FILE_PATH=\/path\/to\/sentence_data\.txt .*set SENTENCE_FILE_PATH=\/mnt\/sentence_data\.txt/);
  t.regex(err.message, /DATABASE_DEV_PASSWORD differs from MYSQL_ROOT_PASSWORD/);
});

test('DATABASE_DEV_HOST: the Service by short or qualified name only', (t) => {
  for (const host of ['eng-app-mysql-service', 'eng-app-mysql-service.eng-app', 'eng-app-mysql-service.eng-app.svc']) {
    t.notThrows(() => buildEngAppSecret({ ...valid(), DATABASE_DEV_HOST: host }, 'x'), host);
  }
  for (const host of ['localhost', '10.0.0.5', 'eng-app-mysql', 'eng-app-mysql-service.default']) {
    fails({ ...valid(), DATABASE_DEV_HOST: host });
    t.pass(host);
  }
});

test('a non-root DB user must be created by MYSQL_USER / MYSQL_PASSWORD', (t) => {
  const base = { ...valid(), DATABASE_DEV_USER: 'app', DATABASE_DEV_PASSWORD: 'apppw' };
  t.regex(fails(base).message, /DATABASE_DEV_USER=app does not exist in MySQL/);
  t.notThrows(() => buildEngAppSecret({ ...base, MYSQL_USER: 'app', MYSQL_PASSWORD: 'apppw' }, 'x'));
});

test('a whitespace-only value counts as empty', (t) => {
  t.regex(fails({ ...valid(), INIT_USER_PASSWD: '   ' }).message, /empty INIT_USER_PASSWD/);
});
