// The GitOps repository with the real git (Debian's): created once from a manifests folder, a
// user's edit shows in status, commit records it (with a fallback identity when git has none), log
// lists it; and the real `git daemon` with the lab's argv serves it on 127.0.0.1 at the URL the
// Applications will name — also when the repository belongs to another user, which it refuses
// without safe.directory.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gitDaemonArgs, repoUrl } from '../../lab/gitops/daemon.ts';
import { FALLBACK_IDENTITY, GitopsGit, gitopsRepo } from '../../lab/gitops/repo.ts';
import { ZxRunner } from '../../lab/run.ts';

function project() {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-gitops-'));
  const workTree = path.join(root, 'manifests');
  mkdirSync(path.join(workTree, 'sock-shop'), { recursive: true });
  writeFileSync(path.join(workTree, 'sock-shop', 'front-end.yaml'), 'replicas: 1\n');
  // No global git identity: the fallback must be used (HOME without a .gitconfig).
  const git = new GitopsGit(gitopsRepo({ dataDir: path.join(root, 'data') }, workTree), new ZxRunner());
  return { root, workTree, git };
}

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});

const listening = (port: number) => new Promise<boolean>((r) => {
  const c = net.connect(port, '127.0.0.1');
  c.on('connect', () => { c.destroy(); r(true); }).on('error', () => r(false));
});

/** Start `git ARGS` (a daemon) and wait until its port answers. */
async function serve(args: string[], port: number) {
  const d = spawn('git', args, { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 100));
  return d;
}

test('created once from the manifests; an edit shows in status, commit records it, log lists both', async (t) => {
  const { workTree, git } = project();
  t.is(await git.ensure('the lab\'s manifests'), 'created');
  t.is(await git.ensure('again'), 'exists');
  t.deepEqual(await git.status(), []);
  writeFileSync(path.join(workTree, 'sock-shop', 'front-end.yaml'), 'replicas: 2\n');
  writeFileSync(path.join(workTree, 'sock-shop', 'new.yaml'), 'x: 1\n');
  t.deepEqual(await git.status(), [{ code: ' M', path: 'sock-shop/front-end.yaml' }, { code: '??', path: 'sock-shop/new.yaml' }]);
  const head = await git.commit('front-end: 2 replicas');
  t.regex(head!, /^[0-9a-f]{40}$/);
  t.is(await git.commit('nothing'), undefined, 'nothing changed: no empty commit');
  t.deepEqual((await git.log()).map((c) => c.subject), ['front-end: 2 replicas', "the lab's manifests"]);
  // The user's own identity when git has one, else the fallback.
  const own = ['user.name', 'user.email'].map((k) => spawnSync('git', ['config', k], { encoding: 'utf8' }).stdout.trim());
  const want = own.every(Boolean) ? `${own[0]} <${own[1]}>` : `${FALLBACK_IDENTITY.name} <${FALLBACK_IDENTITY.email}>`;
  t.is(spawnSync('git', ['--git-dir', git.repo.gitDir, 'log', '-1', '--format=%an <%ae>'], { encoding: 'utf8' }).stdout.trim(), want);
  await t.throwsAsync(git.commit('  '), { message: /needs a message/ });
});

test('no repository yet: status, commit and log say how to make it', async (t) => {
  const { git } = project();
  for (const f of [() => git.status(), () => git.log(), () => git.commit('x')]) await t.throwsAsync(f(), { message: /there is no GitOps repository at .*lab\.git/ });
});

test('git daemon with the lab\'s argv serves the repository at its URL on 127.0.0.1; clone sees the last commit', async (t) => {
  const { root, workTree, git } = project();
  await git.ensure('initial');
  writeFileSync(path.join(workTree, 'sock-shop', 'front-end.yaml'), 'replicas: 3\n');
  const head = await git.commit('three');
  const port = await freePort();
  const d = await serve(gitDaemonArgs(path.dirname(git.repo.gitDir), '127.0.0.1', port), port);
  try {
    const url = repoUrl('127.0.0.1', port);
    t.is(url, `git://127.0.0.1:${port}/lab.git`);
    const clone = path.join(root, 'clone');
    const r = spawnSync('git', ['clone', '--quiet', url, clone], { encoding: 'utf8' });
    t.is(r.status, 0, r.stderr);
    t.is(readFileSync(path.join(clone, 'sock-shop', 'front-end.yaml'), 'utf8'), 'replicas: 3\n');
    t.is(spawnSync('git', ['-C', clone, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim(), head ?? '');
    const push = spawnSync('git', ['-C', clone, 'push', url, 'HEAD:refs/heads/x'], { encoding: 'utf8' });
    t.not(push.status, 0, 'read only: receive-pack is not enabled');
  } finally {
    d.kill();
  }
});

test('a repository owned by another user: served with safe.directory, refused without it (dubious ownership)', async (t) => {
  if (process.getuid?.() !== 0) return t.pass('needs root to give the repository to another uid');
  const { git } = project();
  await git.ensure('initial');
  spawnSync('chown', ['-R', '65534:65534', git.repo.gitDir]);
  const base = path.dirname(git.repo.gitDir);
  const lab = gitDaemonArgs(base, '127.0.0.1', await freePort());
  const port = Number(lab.find((a) => a.startsWith('--port='))!.slice(7));
  const bare = lab.filter((a, i) => !(a === '-c' || lab[i - 1] === '-c'));
  t.is(bare.length, lab.length - 2);
  for (const [args, served] of [[bare, false], [lab, true]] as const) {
    const d = await serve([...args], port);
    try {
      const r = spawnSync('git', ['ls-remote', repoUrl('127.0.0.1', port)], { encoding: 'utf8' });
      t.is(r.status === 0, served, `${args.includes('safe.directory=*') ? 'with' : 'without'} safe.directory: ${r.stderr}`);
    } finally {
      d.kill();
      for (let i = 0; i < 50 && (await listening(port)); i++) await new Promise((res) => setTimeout(res, 100));
    }
  }
});
