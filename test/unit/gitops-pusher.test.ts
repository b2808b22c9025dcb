// The lab's own commits (the gitops exercise) with the real git: made in a scratch clone and pushed,
// so the work tree (manifests/) and the repository's index are untouched — once reverted, `gitops
// status` shows the user's uncommitted edit and nothing else; a revert brings the content back; a change
// that changes nothing and a push the repository refuses are errors.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { editReplicas } from '../../lab/exercises/gitops-act.ts';
import { GitopsPusher } from '../../lab/gitops/pusher.ts';
import { GitopsGit, gitopsRepo } from '../../lab/gitops/repo.ts';
import { ZxRunner } from '../../lab/run.ts';
import { REPO } from '../helpers.ts';

async function fixture() {
  const root = mkdtempSync(path.join(tmpdir(), 'lab-pusher-'));
  const work = path.join(root, 'manifests');
  mkdirSync(path.join(work, 'sock-shop'), { recursive: true });
  const original = readFileSync(path.join(REPO, 'manifests', 'sock-shop', 'front-end.yaml'), 'utf8');
  writeFileSync(path.join(work, 'sock-shop', 'front-end.yaml'), original);
  writeFileSync(path.join(work, 'notes.txt'), 'one\n');
  const repo = gitopsRepo({ dataDir: path.join(root, 'data') }, work);
  const git = new GitopsGit(repo, new ZxRunner());
  await git.ensure('initial');
  return { root, work, repo, git, original, pusher: new GitopsPusher(repo.gitDir, new ZxRunner()) };
}

const show = (gitDir: string, spec: string) => execFileSync('git', ['--git-dir', gitDir, 'show', spec], { encoding: 'utf8' });

test('a change and its revert: pushed to main, comments kept, the work tree and the user\'s pending edit untouched', async (t) => {
  const f = await fixture();
  writeFileSync(path.join(f.work, 'notes.txt'), 'two\n'); // the user's uncommitted edit
  const c1 = await f.pusher.commitChange('replicas 2', editReplicas(2));
  t.is(await f.pusher.head(), c1);
  const changed = show(f.repo.gitDir, `main:sock-shop/front-end.yaml`);
  t.regex(changed, /^  replicas: 2$/m);
  t.true(changed.startsWith('# The shop\'s web front end'), 'comments kept');
  t.is(changed.split('\n').length, f.original.split('\n').length, 'one line changed, none added');
  t.is(readFileSync(path.join(f.work, 'sock-shop', 'front-end.yaml'), 'utf8'), f.original, 'the work tree is not touched');
  // While the change stands, manifests/ (the work tree) does not have it: status says so (until the revert).
  t.deepEqual(await f.git.status(), [{ code: ' M', path: 'notes.txt' }, { code: 'M ', path: 'sock-shop/front-end.yaml' }]);
  const c2 = await f.pusher.revert(c1, 'revert');
  t.is(show(f.repo.gitDir, 'main:sock-shop/front-end.yaml'), f.original);
  t.deepEqual((await f.git.log()).map((l) => l.subject), ['revert', 'replicas 2', 'initial']);
  t.is(await f.pusher.head(), c2);
  t.deepEqual(await f.git.status(), [{ code: ' M', path: 'notes.txt' }]);
});

test('a change that changes nothing is refused, and nothing is pushed', async (t) => {
  const f = await fixture();
  const head = await f.pusher.head();
  await t.throwsAsync(f.pusher.commitChange('no-op', editReplicas(1)), { message: /changed no file/ });
  t.is(await f.pusher.head(), head);
});

test('an edit naming a Deployment the file does not have fails before anything is committed', async (t) => {
  const f = await fixture();
  const head = await f.pusher.head();
  await t.throwsAsync(f.pusher.commitChange('x', (dir) => editReplicas(2)(path.join(dir, 'nowhere'))), { message: /no such file|ENOENT/ });
  t.is(await f.pusher.head(), head);
});

test('a push the repository refuses (a hook standing in for a concurrent commit) is an error with git\'s words', async (t) => {
  const f = await fixture();
  writeFileSync(path.join(f.repo.gitDir, 'hooks', 'pre-receive'), '#!/bin/sh\necho "refusing: someone committed first" >&2\nexit 1\n', { mode: 0o755 });
  const err = await t.throwsAsync(f.pusher.commitChange('replicas 3', editReplicas(3)));
  t.regex(err!.message, /git push .* failed/);
  t.regex((err as { detail?: string }).detail!, /refusing: someone committed first/);
});
