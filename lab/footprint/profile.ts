// The whole lab's requested CPU and memory for one profile: Istio, the samples and the
// observability releases the profile installs (from the chart contract: what each chart renders
// with our values, and what the operator adds for the Prometheus and Alertmanager CRs). What the
// footprint benchmark prints, what preflight's PROFILE_NEEDS are checked against.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ProfileName } from '../config-keys.ts';
import { PROFILE_RELEASES, type ReleaseKey } from '../observability/profiles.ts';
import { istioPodSets, podSetsOf, type PodSet } from './lab-workloads.ts';
import { add, podFootprint, scale, zero, type Footprint } from './pods.ts';

export interface Part {
  component: string;
  footprint: Footprint;
  pods: number;
}

export interface ProfileFootprint {
  profile: ProfileName;
  nodes: number;
  parts: Part[];
  total: Footprint;
}

export function partOf(component: string, sets: PodSet[], nodes: number): Part {
  let f = zero();
  let pods = 0;
  for (const s of sets) {
    const n = s.perNode ? nodes : s.pods;
    f = add(f, scale(podFootprint(s.what, s.containers), n));
    pods += n;
  }
  return { component, footprint: f, pods };
}

export interface FootprintInputs {
  profile: ProfileName;
  /** Control plane + workers (DaemonSets run one pod on each). */
  nodes: number;
  istioOperator: KubernetesObject;
  samples: KubernetesObject[];
  releasePods(key: ReleaseKey): PodSet[];
}

export function profileFootprint(i: FootprintInputs): ProfileFootprint {
  const parts = [
    partOf('istio', istioPodSets(i.istioOperator), i.nodes),
    partOf('samples', podSetsOf(i.samples), i.nodes),
    ...PROFILE_RELEASES[i.profile].map((k) => partOf(k, i.releasePods(k), i.nodes)),
  ];
  return { profile: i.profile, nodes: i.nodes, parts, total: parts.map((p) => p.footprint).reduce(add, zero()) };
}
