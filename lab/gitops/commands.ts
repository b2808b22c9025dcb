// `lab gitops status | commit -m MSG | log` (LAB_GITOPS=argocd): the lab's git repository, whose work
// tree is manifests/, and what Argo CD made of it. A commit asks every Application of the tree to
// refresh at once (instead of at Argo CD's next poll); `status` then shows each one's sync and health.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { LabContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { refreshExisting } from './app-status.ts';
import { GITOPS_APP_ORDER, gitopsRepoUrl } from './applications.ts';
import { applicationRef, autoSyncOn, PAUSED_BY, type ApplicationClient } from './auto-sync.ts';
import { GitopsGit, gitopsRepo } from './repo.ts';

interface AppStatus {
  status?: { sync?: { status?: string; revision?: string }; health?: { status?: string } };
}

type Ctx = Pick<LabContext, 'cfg' | 'run' | 'kube'>;

/** The lab's repository (tests give one with a work tree of their own). */
export function requireGitops(ctx: Ctx, repo?: GitopsGit): GitopsGit {
  if (ctx.cfg.gitops !== 'argocd') {
    throw new UsageError(`the gitops commands need the GitOps mode, and LAB_GITOPS is ${ctx.cfg.gitops}`, 'Set LAB_GITOPS=argocd (in .env or the environment) and run `npm run lab -- up`.');
  }
  return repo ?? new GitopsGit(gitopsRepo(ctx.cfg), ctx.run);
}

export interface GitopsDeps {
  apps?: ApplicationClient;
  repo?: GitopsGit;
}

/** One line per Application: sync (at which commit), health, automated sync on or paused. */
export function applicationLine(name: string, app: KubernetesObject | undefined, head: string): string {
  if (!app) return `  ${name.padEnd(16)} not created yet (its parent makes it from git)`;
  const s = (app as AppStatus).status;
  const rev = s?.sync?.revision;
  const at = rev ? ` at ${rev.slice(0, 8)}${rev === head ? ' (HEAD)' : ` (HEAD is ${head.slice(0, 8)})`}` : '';
  const paused = app.metadata?.annotations?.[PAUSED_BY];
  const auto = autoSyncOn(app) ? 'automated' : paused ? `paused by ${paused}` : 'manual';
  return `  ${name.padEnd(16)} ${(s?.sync?.status ?? 'no sync status') + at}, ${s?.health?.status ?? 'no health'}; ${auto}`;
}

async function applicationLines(apps: ApplicationClient, head: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of GITOPS_APP_ORDER) out.push(applicationLine(name, await apps.get(applicationRef(name)), head));
  return out;
}

export async function gitopsStatus(ctx: Ctx, d: GitopsDeps = {}): Promise<string[]> {
  const repo = requireGitops(ctx, d.repo);
  const apps = d.apps ?? ctx.kube();
  const changes = await repo.status();
  const head = await repo.head();
  const lines = [`repository ${repo.repo.gitDir} (in the cluster: ${gitopsRepoUrl()}), HEAD ${head.slice(0, 8)}`];
  if (changes.length) lines.push(`not committed (manifests/):`, ...changes.map((c) => `  ${c.code} ${c.path}`), 'commit them: npm run lab -- gitops commit -m "what you changed"');
  else lines.push('manifests/ is as committed');
  lines.push("Argo CD's Applications:");
  try {
    lines.push(...(await applicationLines(apps, head)));
  } catch (err) {
    lines.push(`  cannot read them: ${(err as Error).message}`);
  }
  return lines;
}

export async function gitopsCommit(ctx: Ctx, message: string, d: GitopsDeps = {}): Promise<string[]> {
  const repo = requireGitops(ctx, d.repo);
  const apps = d.apps ?? ctx.kube();
  const hash = await repo.commit(message);
  if (!hash) return ['nothing to commit: manifests/ is as committed'];
  const asked = await refreshExisting(apps, GITOPS_APP_ORDER);
  return [
    `committed ${hash.slice(0, 8)} "${message}"`,
    asked.length ? `asked Argo CD to refresh ${asked.join(', ')} now` : 'no Application exists yet to refresh (run npm run lab -- up)',
    'watch it: npm run lab -- gitops status (or the UI: npm run lab -- pf argocd)',
  ];
}

export async function gitopsLog(ctx: Ctx, limit: number, d: GitopsDeps = {}): Promise<string[]> {
  const entries = await requireGitops(ctx, d.repo).log(limit);
  return entries.map((e) => `${e.hash}  ${e.date}  ${e.subject}`);
}
