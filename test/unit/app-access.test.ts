// `lab logs` / `lab shell`: the exact kubectl command lines, always with the lab's kubeconfig and
// context, and a database's client instead of a bare shell.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { findTarget, logsArgv, runAttached, shellArgv } from '../../lab/app-access.ts';
import { UsageError } from '../../lab/errors.ts';
import { tempDir, testConfig, testContext } from '../helpers.ts';

const cfg = testConfig();
const { ctx, runner } = testContext(cfg);
const kubectl = [ctx.tool('kubectl'), '--kubeconfig', cfg.kubeconfig, '--context', 'kind-lab'];

test('logs of the seed apps by their short names', (t) => {
  t.deepEqual(logsArgv(ctx, findTarget(ctx, 'db-init'), { follow: false, tail: 200 }), [...kubectl, 'logs', '-n', 'eng-app', 'job/eng-app-db-init-job', '-c', 'db-init', '--tail=200']);
  t.deepEqual(logsArgv(ctx, findTarget(ctx, 'eng-app'), { follow: true, tail: 50 }), [...kubectl, 'logs', '-n', 'eng-app', 'deploy/eng-app-app', '-c', 'eng-app-app', '--tail=50', '-f']);
});

test('shell: MySQL opens the client as root with the password from its own env; apps get sh', (t) => {
  t.deepEqual(shellArgv(ctx, findTarget(ctx, 'mysql')), [...kubectl, 'exec', '-it', '-n', 'eng-app', 'deploy/eng-app-mysql', '-c', 'eng-app-mysql', '--', 'sh', '-c', 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql -uroot']);
  t.deepEqual(shellArgv(ctx, findTarget(ctx, 'session-db')).slice(-2), ['--', 'redis-cli']);
  t.deepEqual(shellArgv(ctx, findTarget(ctx, 'carts-db')).slice(-4), ['--', 'sh', '-c', 'exec mongo']);
  t.deepEqual(shellArgv(ctx, findTarget(ctx, 'front-end')).slice(-2), ['--', 'sh']);
});

test('an unknown app lists the valid names (usage error)', (t) => {
  const err = t.throws(() => findTarget(ctx, 'cart'), { instanceOf: UsageError });
  t.regex(err!.message, /unknown app "cart"; use one of: eng-app, mysql, db-init, front-end/);
});

test('the command runs attached to the terminal; a failure names it', async (t) => {
  runner.on((c) => c.args.includes('logs'), { exitCode: 1 });
  await t.throwsAsync(runAttached(ctx, logsArgv(ctx, findTarget(ctx, 'carts'), { follow: false, tail: 10 })), { message: /logs -n eng-app|logs -n sock-shop/ });
  t.true(runner.calls.at(-1)!.opts.interactive);
});

test('shell mysql: the password reaches the client through its environment, never its command line', (t) => {
  // Run the exact in-container command with a stand-in `mysql` that reports its own command line
  // (as `ps` would show it) and whether MYSQL_PWD arrived.
  const bin = tempDir('lab-fake-mysql-');
  writeFileSync(path.join(bin, 'mysql'), '#!/bin/sh\ntr "\\0" " " < /proc/$$/cmdline; echo; echo "MYSQL_PWD=$MYSQL_PWD"\n', { mode: 0o755 });
  const [sh, flag, script] = shellArgv(ctx, findTarget(ctx, 'mysql')).slice(-3);
  const r = spawnSync(sh, [flag, script], { env: { PATH: `${bin}:/usr/bin:/bin`, MYSQL_ROOT_PASSWORD: 's3cret-root' }, encoding: 'utf8' });
  const [cmdline, pwd] = r.stdout.trim().split('\n');
  t.false(cmdline.includes('s3cret-root'), cmdline);
  t.regex(cmdline, /mysql -uroot/);
  t.is(pwd, 'MYSQL_PWD=s3cret-root');
});
