// Commits the lab makes to its GitOps repository on its own behalf (the gitops exercise): each one in
// a scratch clone, pushed to the bare repository's main branch, so the user's manifests/ work tree
// and the repository's index (what `lab gitops status` compares against) are never touched. A push
// the repository refuses (someone committed in between) is an error, never a force-push.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LabError } from '../errors.ts';
import type { Runner } from '../run.ts';
import { BRANCH, identityEnv } from './repo.ts';

export class GitopsPusher {
  constructor(readonly gitDir: string, private readonly run: Runner) {}

  private async git(args: string[], what: string, opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
    const r = await this.run.run('git', args, { cwd: opts.cwd, env: { GIT_TERMINAL_PROMPT: '0', ...opts.env }, timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new LabError(`git ${what} (${this.gitDir}) failed (exit ${r.exitCode})`, { detail: `${r.stderr}${r.stdout}`.trim() });
    return r.stdout.trim();
  }

  /** The commit main points at. */
  head(): Promise<string> {
    return this.git(['--git-dir', this.gitDir, 'rev-parse', `refs/heads/${BRANCH}`], 'rev-parse');
  }

  /** Clone main, let `edit` change files in the clone (its root is the repository's root, i.e.
   * manifests/), commit everything with `message`, push; the new commit's hash. */
  async commitChange(message: string, edit: (dir: string) => void | Promise<void>): Promise<string> {
    return this.inClone(async (dir) => {
      await edit(dir);
      await this.git(['add', '--all'], 'add', { cwd: dir });
      const status = await this.git(['status', '--porcelain'], 'status', { cwd: dir });
      if (!status) throw new LabError(`the change "${message}" changed no file in the GitOps repository`);
      await this.git(['commit', '--quiet', '-m', message], 'commit', { cwd: dir, env: await identityEnv(this.run) });
    });
  }

  /** `git revert` of `commit` on top of main, pushed; the new commit's hash. */
  revert(commit: string, message: string): Promise<string> {
    return this.inClone(async (dir) => {
      const env = await identityEnv(this.run);
      await this.git(['revert', '--no-edit', '--no-commit', commit], `revert ${commit.slice(0, 8)}`, { cwd: dir, env });
      await this.git(['commit', '--quiet', '-m', message], 'commit', { cwd: dir, env });
    });
  }

  private async inClone(work: (dir: string) => Promise<void>): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-gitops-change-'));
    try {
      await this.git(['clone', '--quiet', '--branch', BRANCH, this.gitDir, dir], 'clone');
      await work(dir);
      await this.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${BRANCH}`], 'push', { cwd: dir });
      return await this.git(['rev-parse', 'HEAD'], 'rev-parse', { cwd: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
