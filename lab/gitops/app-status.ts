// "Has Argo CD rolled out what the repository says?" — an Application is done when it is Synced at
// the repository's HEAD and Healthy. In GitOps mode `lab up` waits for the samples' Applications this
// way instead of applying the samples itself, and says which one is not there and why (its
// conditions and operation message, as Argo CD reports them).
import type { KubernetesObject } from '@kubernetes/client-node';
import { LabError } from '../errors.ts';
import { applicationRef, type ApplicationClient } from './auto-sync.ts';

export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';

interface AppStatus {
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    conditions?: Array<{ type?: string; message?: string }>;
    operationState?: { phase?: string; message?: string };
  };
}

/** Synced at `head` and Healthy: what "rolled out" means, for `up` and the gitops exercise alike. */
export const rolledOut = (sync: string | null | undefined, revision: string | null | undefined, health: string | null | undefined, head: string) =>
  sync === 'Synced' && revision === head && health === 'Healthy';

/** Ask Argo CD to refresh now rather than at its next poll (it removes the annotation when done). */
export function requestRefresh(c: ApplicationClient, name: string): Promise<unknown> {
  return c.mergePatch(applicationRef(name), { metadata: { annotations: { [REFRESH_ANNOTATION]: 'normal' } } });
}

/** Ask each of `names` that exists to refresh (an absent one is passed over); the names asked. */
export async function refreshExisting(c: ApplicationClient, names: string[]): Promise<string[]> {
  const asked: string[] = [];
  for (const n of names) {
    if (!(await c.get(applicationRef(n)))) continue;
    await requestRefresh(c, n);
    asked.push(n);
  }
  return asked;
}

/** Why `app` is not Synced at `head` and Healthy; undefined when it is. */
export function notDone(name: string, app: KubernetesObject | undefined, head: string): string | undefined {
  if (!app) return `Application ${name} does not exist (yet: its parent creates it from git)`;
  const s = (app as AppStatus).status;
  const sync = s?.sync?.status ?? 'no sync status';
  const health = s?.health?.status ?? 'no health';
  const rev = s?.sync?.revision;
  if (rolledOut(sync, rev, health, head)) return undefined;
  const why = [
    ...(s?.conditions ?? []).map((c) => `${c.type}: ${c.message}`),
    s?.operationState?.message ? `last sync ${s.operationState.phase}: ${s.operationState.message}` : '',
    s?.health?.message ?? '',
  ].filter(Boolean);
  return `Application ${name}: ${sync}${rev ? ` at ${rev.slice(0, 8)}` : ''}${rev && rev !== head ? ` (HEAD is ${head.slice(0, 8)})` : ''}, ${health}${why.length ? ` — ${why.join('; ')}` : ''}`;
}

export async function applicationsNotDone(c: ApplicationClient, names: string[], head: string): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) {
    const line = notDone(n, await c.get(applicationRef(n)), head);
    if (line) out.push(line);
  }
  return out;
}

export interface WaitApps {
  timeoutMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Ask for a refresh (no waiting for Argo CD's 120 s poll), then wait until every one is done. */
export async function waitApplications(c: ApplicationClient, names: string[], head: string, o: WaitApps): Promise<void> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  await refreshExisting(c, names);
  const t0 = now();
  for (;;) {
    const left = await applicationsNotDone(c, names, head);
    if (!left.length) return;
    if (now() - t0 >= o.timeoutMs) {
      throw new LabError(`Argo CD has not rolled out ${left.length === 1 ? 'one Application' : `${left.length} Applications`} within ${Math.round(o.timeoutMs / 1000)} s`, {
        detail: `${left.join('\n')}\nSee them: npm run lab -- gitops status, or npm run lab -- pf argocd`,
      });
    }
    await sleep(o.pollMs ?? 3_000);
  }
}
