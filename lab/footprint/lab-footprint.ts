// The footprint of what `up` installs for a profile, from the lab's manifests and the chart contract.
import path from 'node:path';
import type { ProfileName } from '../config-keys.ts';
import { istioOperator } from '../istio/operator.ts';
import { ENV_EXAMPLE, engAppSecretValues, readEngAppEnv } from '../samples/eng-app-secret.ts';
import { renderEngApp } from '../samples/eng-app.ts';
import { renderSockShop } from '../samples/sock-shop.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { chartPodSets } from './chart-workloads.ts';
import { gitServerObjects } from '../gitops/applications.ts';
import { injectedNamespaces, podSetsOf } from './lab-workloads.ts';
import { add, zero } from './pods.ts';
import { partOf, profileFootprint, type Part, type ProfileFootprint } from './profile.ts';

export function sampleManifests() {
  const env = readEngAppEnv(path.join(PROJECT_ROOT, ENV_EXAMPLE));
  return [...renderSockShop({}), ...renderEngApp({ secretValues: engAppSecretValues(env, path.basename(ENV_EXAMPLE)) })];
}

/** `workers`: LAB_WORKERS (the control plane is one more node for DaemonSets). `gitops`: with
 * LAB_GITOPS=argocd's additions (gitopsParts). */
export function labFootprint(profile: ProfileName, workers = 4, opts: { gitops?: boolean } = {}): ProfileFootprint {
  const samples = sampleManifests();
  const injected = injectedNamespaces(samples);
  const f = profileFootprint({ profile, nodes: workers + 1, istioOperator: istioOperator(), samples, releasePods: (k) => chartPodSets(k, injected) });
  if (!opts.gitops) return f;
  const parts = [...f.parts, ...gitopsPartsFor(workers + 1, injected)];
  return { ...f, parts, total: parts.map((p) => p.footprint).reduce(add, zero()) };
}

/** What LAB_GITOPS=argocd adds to any profile: Argo CD's release (as the chart renders it with our
 * values) and the lab's git server. */
export function gitopsParts(workers = 4): Part[] {
  return gitopsPartsFor(workers + 1, injectedNamespaces(sampleManifests()));
}

function gitopsPartsFor(nodes: number, injected: Set<string>): Part[] {
  return [partOf('argocd', chartPodSets('argocd', injected), nodes), partOf('git-server', podSetsOf(gitServerObjects()), nodes)];
}
