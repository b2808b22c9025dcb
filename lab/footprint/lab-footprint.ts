// The footprint of what `up` installs for a profile, from the lab's manifests and the chart contract.
import path from 'node:path';
import type { ProfileName } from '../config-keys.ts';
import { istioOperator } from '../istio/operator.ts';
import { ENV_EXAMPLE, engAppSecretValues, readEngAppEnv } from '../samples/eng-app-secret.ts';
import { renderEngApp } from '../samples/eng-app.ts';
import { renderSockShop } from '../samples/sock-shop.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { chartPodSets } from './chart-workloads.ts';
import { injectedNamespaces } from './lab-workloads.ts';
import { profileFootprint, type ProfileFootprint } from './profile.ts';

export function sampleManifests() {
  const env = readEngAppEnv(path.join(PROJECT_ROOT, ENV_EXAMPLE));
  return [...renderSockShop({}), ...renderEngApp({ secretValues: engAppSecretValues(env, path.basename(ENV_EXAMPLE)) })];
}

/** `workers`: LAB_WORKERS (the control plane is one more node for DaemonSets). */
export function labFootprint(profile: ProfileName, workers = 4): ProfileFootprint {
  const samples = sampleManifests();
  const injected = injectedNamespaces(samples);
  return profileFootprint({ profile, nodes: workers + 1, istioOperator: istioOperator(), samples, releasePods: (k) => chartPodSets(k, injected) });
}
