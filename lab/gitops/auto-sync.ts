// Pausing Argo CD's automated sync while an exercise changes the cluster by hand (LAB_GITOPS=argocd).
// Self-heal would put back what an exercise changes; so before an exercise the lab sets
// spec.syncPolicy.automated.enabled=false (Argo CD ≥ 3.1: prune/selfHeal stay as they are, only the
// automated sync stops) on each Application, root first: a parent still syncing would put its
// children's specs back from git. Afterwards it removes the field again, children first, so every
// Application is as git says. Each paused Application carries PAUSED_BY naming who paused it, so
// `lab up` can resume what a run left paused (`--keep`, Ctrl-C) and nothing else.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjRef } from '../kube-refs.ts';

export const APPLICATION_API = 'argoproj.io/v1alpha1';
export const ARGOCD_NAMESPACE = 'argocd';
export const PAUSED_BY = 'cloud-native-lab.dev/auto-sync-paused-by';

export const applicationRef = (name: string): ObjRef => ({ apiVersion: APPLICATION_API, kind: 'Application', namespace: ARGOCD_NAMESPACE, name });

export interface ApplicationClient {
  get(ref: ObjRef): Promise<KubernetesObject | undefined>;
  mergePatch(ref: ObjRef, patch: Record<string, unknown>): Promise<unknown>;
}

interface AppSpec {
  spec?: { syncPolicy?: { automated?: { enabled?: boolean | null } | null } };
}

/** Automated sync configured and not switched off. */
export function autoSyncOn(app: KubernetesObject): boolean {
  const automated = (app as AppSpec).spec?.syncPolicy?.automated;
  return automated !== undefined && automated !== null && automated.enabled !== false;
}

/** Pause, in the order given (root → parents → children), every Application that syncs on its own,
 * pushing each name to `paused` as it goes (so a failure half-way still says what to resume). An
 * absent Application is passed over. */
export async function pauseAutoSync(c: ApplicationClient, order: string[], by: string, paused: string[]): Promise<void> {
  for (const name of order) {
    const app = await c.get(applicationRef(name));
    if (!app || !autoSyncOn(app)) continue;
    await c.mergePatch(applicationRef(name), { metadata: { annotations: { [PAUSED_BY]: by } }, spec: { syncPolicy: { automated: { enabled: false } } } });
    paused.push(name);
  }
}

/** Resume `names` in reverse (children first); every one is tried, the first failure is thrown after. */
export async function resumeAutoSync(c: ApplicationClient, names: string[]): Promise<void> {
  let first: unknown;
  for (const name of [...names].reverse()) {
    try {
      await c.mergePatch(applicationRef(name), { metadata: { annotations: { [PAUSED_BY]: null } }, spec: { syncPolicy: { automated: { enabled: null } } } });
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

/** The Applications of `order` a run left paused (they carry PAUSED_BY), in `order`. */
export async function leftPaused(c: ApplicationClient, order: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of order) {
    const app = await c.get(applicationRef(name));
    if (app?.metadata?.annotations?.[PAUSED_BY] !== undefined) out.push(name);
  }
  return out;
}
