// The lab's GitOps repository (LAB_GITOPS=argocd, seed 002): a bare git repository under
// LAB_DATA_DIR/gitops/ (so every node sees it at /opt/nfs/gitops, and the in-cluster git daemon
// serves it) whose work tree is the project's own manifests/ folder. A user edits manifests/,
// `lab gitops status` shows what differs from the last commit, `lab gitops commit -m MSG` commits
// it, and Argo CD, polling the repository, rolls it out. The lab never commits on its own except
// the first commit that creates the repository.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LabConfig } from '../config.ts';
import { LabError, UsageError } from '../errors.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import type { Runner } from '../run.ts';

export const GITOPS_DIR = 'gitops';
export const REPO_NAME = 'lab.git';
export const BRANCH = 'main';
/** Used when the user has no git identity of their own (a fresh machine, CI). */
export const FALLBACK_IDENTITY = { name: 'cloud-native-lab user', email: 'lab@cloud-native-lab.invalid' };

export interface GitopsRepo {
  gitDir: string;
  workTree: string;
}

export function gitopsRepo(cfg: Pick<LabConfig, 'dataDir'>, workTree = path.join(PROJECT_ROOT, 'manifests')): GitopsRepo {
  return { gitDir: path.join(cfg.dataDir, GITOPS_DIR, REPO_NAME), workTree };
}

/** The identity to commit with: the user's own if git has one (no env), else FALLBACK_IDENTITY's. */
export async function identityEnv(run: Runner): Promise<Record<string, string>> {
  const name = await run.run('git', ['config', 'user.name'], { timeoutMs: 10_000 });
  const email = await run.run('git', ['config', 'user.email'], { timeoutMs: 10_000 });
  if (name.exitCode === 0 && name.stdout.trim() && email.exitCode === 0 && email.stdout.trim()) return {};
  const { name: n, email: e } = FALLBACK_IDENTITY;
  return { GIT_AUTHOR_NAME: n, GIT_AUTHOR_EMAIL: e, GIT_COMMITTER_NAME: n, GIT_COMMITTER_EMAIL: e };
}

export interface Change {
  /** git's two-letter porcelain status: ' M' modified, '??' new, ' D' deleted, … */
  code: string;
  path: string;
}

export class GitopsGit {
  constructor(readonly repo: GitopsRepo, private readonly run: Runner) {}

  private async git(args: string[], what: string, env: Record<string, string> = {}): Promise<string> {
    const argv = ['--git-dir', this.repo.gitDir, '--work-tree', this.repo.workTree, ...args];
    const r = await this.run.run('git', argv, { env: { GIT_TERMINAL_PROMPT: '0', ...env }, timeoutMs: 60_000 });
    if (r.exitCode !== 0) throw new LabError(`git ${what} in ${this.repo.gitDir} failed (exit ${r.exitCode})`, { detail: `${r.stderr}${r.stdout}`.trim() });
    return r.stdout;
  }

  exists(): boolean {
    return existsSync(path.join(this.repo.gitDir, 'HEAD'));
  }

  private requireRepo(): void {
    if (!this.exists()) throw new UsageError(`there is no GitOps repository at ${this.repo.gitDir}`, 'Run `LAB_GITOPS=argocd npm run lab -- up` first: it creates it from manifests/.');
  }

  /** Create the bare repository with one commit of manifests/ as it is; nothing when it exists. */
  async ensure(message: string): Promise<'created' | 'exists'> {
    if (this.exists()) return 'exists';
    mkdirSync(path.dirname(this.repo.gitDir), { recursive: true });
    const r = await this.run.run('git', ['init', '--quiet', '--bare', `--initial-branch=${BRANCH}`, this.repo.gitDir], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new LabError(`git init ${this.repo.gitDir} failed (exit ${r.exitCode})`, { detail: r.stderr.trim() });
    await this.commitAll(message);
    return 'created';
  }

  /** What the work tree has that the last commit does not. */
  async status(): Promise<Change[]> {
    this.requireRepo();
    const out = await this.git(['status', '--porcelain=v1', '--untracked-files=all'], 'status');
    return out.split('\n').filter((l) => l.length > 3).map((l) => ({ code: l.slice(0, 2), path: l.slice(3) }));
  }

  /** Commit everything that changed; undefined (no commit) when nothing did. */
  async commit(message: string): Promise<string | undefined> {
    this.requireRepo();
    if (!message.trim()) throw new UsageError('a commit needs a message: lab gitops commit -m "what you changed"');
    if ((await this.status()).length === 0) return undefined;
    return this.commitAll(message);
  }

  private async commitAll(message: string): Promise<string> {
    await this.git(['add', '--all'], 'add');
    await this.git(['commit', '--quiet', '-m', message], 'commit', await identityEnv(this.run));
    return (await this.git(['rev-parse', 'HEAD'], 'rev-parse')).trim();
  }

  async head(): Promise<string> {
    this.requireRepo();
    return (await this.git(['rev-parse', 'HEAD'], 'rev-parse')).trim();
  }

  /** Newest first: short hash, ISO date, subject. */
  async log(limit = 20): Promise<Array<{ hash: string; date: string; subject: string }>> {
    this.requireRepo();
    const out = await this.git(['log', `--max-count=${limit}`, '--date=iso-strict', '--format=%h%x09%ad%x09%s'], 'log');
    return out.split('\n').filter(Boolean).map((l) => {
      const [hash, date, ...rest] = l.split('\t');
      return { hash, date, subject: rest.join('\t') };
    });
  }
}
