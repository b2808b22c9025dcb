// `down --purge` with data a pod wrote as another user (MySQL as uid 999, which also chowns its data
// directory), as rootful Docker leaves it on the host. The CLI runs for real as an ordinary user
// (uid 1000 via setpriv — as root every file is deletable, so the problem cannot show), with
// recording `kind` and `docker` stand-ins on PATH. Without a way to empty the directory from inside
// the cluster it must stop before deleting anything and print the exact command; with one, it
// empties first, then deletes the cluster, then the data.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { undeletable } from '../../lab/data-dir.ts';
import { LabError } from '../../lab/errors.ts';
import { prepareDataDirForPurge, wipeJob } from '../../lab/purge.ts';
import { validateObjects } from '../../lab/samples/validate.ts';
import { REPO, tempDir, testConfig, testContext } from '../helpers.ts';

const USER = 1000;
const MYSQL = 999;
const asRoot = process.getuid?.() === 0;

/** A project owned by USER whose eng_app data belongs to MySQL's uid, mode 0700, as mysqld leaves it. */
function project(mysqlOwned: boolean) {
  const root = tempDir('lab-purge-');
  const data = path.join(root, '.lab', 'data');
  mkdirSync(path.join(data, 'eng_app', 'mysql'), { recursive: true });
  mkdirSync(path.join(data, 'eng_app_data'), { recursive: true });
  writeFileSync(path.join(data, 'eng_app', 'mysql', 'user.frm'), 'x');
  writeFileSync(path.join(data, 'eng_app', 'ibdata1'), 'x');
  writeFileSync(path.join(data, 'eng_app_data', 'sentence_data.txt'), '1::a::b\n');
  mkdirSync(path.join(root, '.lab', 'clusters'), { recursive: true });
  writeFileSync(path.join(root, '.lab', 'clusters', 'kind-lab.json'), JSON.stringify({ provider: 'kind', name: 'lab', createdAt: '2026-12-01T09:00:00Z' }));
  const bin = path.join(root, 'fake-bin');
  mkdirSync(bin);
  // kind: the cluster exists; every call is recorded. docker: no engine answers.
  writeFileSync(path.join(bin, 'kind'), `#!/bin/sh\necho "$*" >> "${root}/kind-calls"\n[ "$1" = get ] && echo lab\nexit 0\n`, { mode: 0o755 });
  writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  spawnSync('chown', ['-R', `${USER}:${USER}`, root]);
  chmodSync(root, 0o755);
  if (mysqlOwned) {
    spawnSync('chown', ['-R', `${MYSQL}:${MYSQL}`, path.join(data, 'eng_app')]);
    chmodSync(path.join(data, 'eng_app'), 0o700);
  }
  return { root, data, calls: () => (existsSync(path.join(root, 'kind-calls')) ? readFileSync(path.join(root, 'kind-calls'), 'utf8').trim().split('\n') : []) };
}

function downAsUser(root: string) {
  const env = { HOME: root, CI: 'true', PATH: `${path.join(root, 'fake-bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin` };
  const r = spawnSync('setpriv', [`--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', '--', path.join(REPO, 'node_modules', '.bin', 'tsx'), path.join(REPO, 'scripts', 'lab.ts'), 'down', '--purge', '--yes'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, err: r.stderr, out: r.stdout };
}

test('as a user, MySQL-owned data and an unreachable cluster: stop before deleting anything, print the exact command', (t) => {
  if (!asRoot) return t.pass('needs root to create files owned by another uid');
  const p = project(true);
  const r = downAsUser(p.root);
  t.is(r.code, 1, r.err);
  t.regex(r.err, new RegExp(`ERROR: --purge stopped before deleting anything: you cannot delete ${p.data}/eng_app \\(written by pods as another user`));
  t.regex(r.err, /the lab cannot empty it from inside the cluster: its API server does not answer/);
  t.regex(r.err, new RegExp(`\\n +sudo rm -rf ${p.data}\\n +npm run lab -- down --purge --yes`));
  t.deepEqual(p.calls(), ['get clusters'], 'the cluster was not deleted');
  t.true(existsSync(path.join(p.data, 'eng_app_data', 'sentence_data.txt')), 'nothing of the data was deleted either');
});

test('as a user, data that is all yours: the cluster goes, then the data', (t) => {
  if (!asRoot) return t.pass('needs root to switch to an ordinary user');
  const p = project(false);
  const r = downAsUser(p.root);
  t.is(r.code, 0, r.err);
  t.deepEqual(p.calls(), ['get clusters', `delete cluster --name lab --kubeconfig ${p.root}/.lab/kubeconfig`]);
  t.false(existsSync(p.data));
});

test('undeletable() sees, as that user, exactly the directory MySQL owns', (t) => {
  if (!asRoot) return t.pass('needs root');
  const p = project(true);
  const script = `import('${path.join(REPO, 'lab', 'data-dir.ts')}').then((m) => console.log(JSON.stringify(m.undeletable(${JSON.stringify(p.data)}))))`;
  const r = spawnSync('setpriv', [`--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', '--', process.execPath, '--import', 'tsx', '-e', script], { cwd: REPO, encoding: 'utf8' });
  t.deepEqual(JSON.parse(r.stdout), [path.join(p.data, 'eng_app')], r.stderr);
  t.deepEqual(undeletable(p.data), [], 'root can delete anything, which is why the CLI test runs as a user');
});

test('with a cluster that runs pods: empty from inside first; if that does not help, still stop before deleting', async (t) => {
  const { ctx, lines } = testContext(testConfig());
  const order: string[] = [];
  let blocked = ['/data/eng_app'];
  await prepareDataDirForPurge(ctx, { canWipeInside: true }, async () => { order.push('wipe'); blocked = []; }, () => (order.push('check'), blocked));
  t.deepEqual(order, ['check', 'wipe', 'check']);
  t.true(lines.some((l) => l.includes('Emptied')));
  const err = await t.throwsAsync(prepareDataDirForPurge(ctx, { canWipeInside: true }, async () => { throw new Error('job eng timed out'); }, () => ['/data/eng_app']), { instanceOf: LabError });
  t.regex(err!.message, /^--purge stopped before deleting anything/);
  t.regex((err as LabError).detail!, /emptying it from inside the cluster did not work: job eng timed out/);
});

test('the wipe Job: root, on an app node, the node view of LAB_DATA_DIR, a pinned image; a valid Job', (t) => {
  const job = wipeJob();
  const pod = job.spec!.template.spec!;
  t.deepEqual(pod.containers[0].securityContext, { runAsUser: 0, runAsGroup: 0 });
  t.deepEqual(pod.volumes, [{ name: 'data', hostPath: { path: '/opt/nfs', type: 'Directory' } }]);
  t.deepEqual(pod.nodeSelector, { 'node.kubernetes.io/nodegroup': 'app' });
  t.deepEqual(pod.containers[0].command, ['sh', '-c', 'cd /data && rm -rf -- * .[!.]* ..?*']);
  t.deepEqual(validateObjects([job]), []);
  t.deepEqual(wipeJob('eng_app').spec!.template.spec!.volumes, [{ name: 'data', hostPath: { path: '/opt/nfs/eng_app', type: 'Directory' } }], '--reset-data empties MySQL\'s directory only');
});

test('the wipe command empties a directory (dotfiles too) and keeps the directory itself', (t) => {
  const dir = tempDir('lab-wipe-');
  mkdirSync(path.join(dir, 'eng_app', 'mysql'), { recursive: true });
  writeFileSync(path.join(dir, 'eng_app', 'ibdata1'), 'x');
  writeFileSync(path.join(dir, '.hidden'), 'x');
  writeFileSync(path.join(dir, '..odd'), 'x');
  const cmd = wipeJob().spec!.template.spec!.containers[0].command!;
  const r = spawnSync(cmd[0], [cmd[1], cmd[2].replace('cd /data', `cd ${dir}`)], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout, '');
  t.true(existsSync(dir));
  chownSync(dir, 0, 0);
});
