// Which observability releases each LAB_PROFILE installs, and why:
// - minimal: none — Istio and the samples only, for a 2-CPU / 6-GiB engine.
// - standard (the default): kube-prometheus-stack (Prometheus, Alertmanager, Grafana, node-exporter,
//   kube-state-metrics), Jaeger and Kiali — what seed 003's Kiali graph and Grafana workload views
//   and the traffic exercises' evidence need; Kiali reads Prometheus and Jaeger. And Flagger with its
//   loadtester (seed 001's canary): Flagger judges a canary by Istio's request metrics in that same
//   Prometheus, so it belongs wherever Prometheus is, and it is small (one controller and one
//   loadtester, 0.03 CPU / 88 MiB requested with the loadtester's sidecar); and until a Canary
//   object names a Deployment (the canary exercise's), Flagger changes nothing in the cluster.
// - full: standard + Loki and Alloy (logs in Grafana, the observability exercise's log assertion).
//   Logs are the largest addition after Prometheus (Loki, and Alloy on every node), so they are
//   in full only; bench/footprint.ts prints what each profile requests.
import type { LabConfig } from '../config.ts';
import type { ProfileName } from '../config-keys.ts';
import { RELEASES } from './endpoints.ts';

export type ReleaseKey = keyof typeof RELEASES;

const STANDARD: ReleaseKey[] = ['prometheusStack', 'jaeger', 'kiali', 'flagger', 'flaggerLoadtester'];

export const PROFILE_RELEASES: Record<ProfileName, ReleaseKey[]> = {
  minimal: [],
  standard: STANDARD,
  full: [...STANDARD, 'loki', 'alloy'],
};

/** Installed by LAB_GITOPS=argocd whatever the profile (seed 002's Argo CD; bench/footprint.ts prints its cost). */
export const GITOPS_RELEASES: ReleaseKey[] = ['argocd'];

export const installs = (cfg: Pick<LabConfig, 'profile' | 'gitops'>, key: ReleaseKey) =>
  GITOPS_RELEASES.includes(key) ? cfg.gitops === 'argocd' : PROFILE_RELEASES[cfg.profile].includes(key);

/** The profiles that install `key`, for messages ("Loki is installed with LAB_PROFILE=full"). */
export const profilesWith = (key: ReleaseKey): ProfileName[] => (Object.keys(PROFILE_RELEASES) as ProfileName[]).filter((p) => PROFILE_RELEASES[p].includes(key));

/** The setting that decides whether `key` is installed, as it is set now ("LAB_GITOPS=off",
 * "LAB_PROFILE=minimal"): what a message names when a release is left out. */
export const decidingSetting = (cfg: Pick<LabConfig, 'profile' | 'gitops'>, key: ReleaseKey) =>
  GITOPS_RELEASES.includes(key) ? `LAB_GITOPS=${cfg.gitops}` : `LAB_PROFILE=${cfg.profile}`;
