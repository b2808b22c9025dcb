// The settings the lab reads, with their defaults, flags and one-line help.
// `.env.example` documents the same keys; a test keeps the two in step.

export const PROVIDERS = ['kind', 'minikube', 'existing', 'sim'] as const;
export const PROFILES = ['minimal', 'standard', 'full'] as const;
export const STORAGE_KINDS = ['hostpath', 'nfs'] as const;
/** off: the lab applies the samples itself; argocd: Argo CD syncs them from the lab's own git server (seed 002). */
export const GITOPS_MODES = ['off', 'argocd'] as const;
/** Worker node groups, in the order workers are assigned to them (seed 002: m02 app, m03 deploy, …). */
export const NODE_GROUPS = ['app', 'deploy', 'ingress', 'system'] as const;
export const NODEGROUP_LABEL = 'node.kubernetes.io/nodegroup';

export type ProviderName = (typeof PROVIDERS)[number];
export type ProfileName = (typeof PROFILES)[number];
export type StorageKind = (typeof STORAGE_KINDS)[number];
export type GitopsMode = (typeof GITOPS_MODES)[number];
export type NodeGroup = (typeof NODE_GROUPS)[number];

export interface KeySpec {
  key: string;
  flag: string;
  /** Default as the user would write it; `undefined` = no default (derived or optional). */
  def?: string;
  help: string;
}

export const KEYS: KeySpec[] = [
  { key: 'LAB_PROVIDER', flag: 'provider', def: 'kind', help: 'Where the cluster runs: kind | minikube | existing | sim' },
  { key: 'LAB_CLUSTER_NAME', flag: 'name', def: 'lab', help: 'Cluster / profile name (lowercase letters, digits, dashes)' },
  { key: 'LAB_PROFILE', flag: 'profile', def: 'standard', help: 'What to install: minimal | standard | full' },
  { key: 'LAB_K8S_VERSION', flag: 'k8s-version', help: 'Kubernetes version, e.g. v1.34.0 (default: the provider\'s pinned one)' },
  { key: 'LAB_WORKERS', flag: 'workers', def: '4', help: 'Worker nodes, 4..8; groups app, deploy, ingress, system, extra ones join app' },
  { key: 'LAB_HTTP_PORT', flag: 'http-port', def: '8080', help: 'Ingress HTTP port on 127.0.0.1' },
  { key: 'LAB_HTTPS_PORT', flag: 'https-port', def: '8443', help: 'Ingress HTTPS port on 127.0.0.1' },
  { key: 'LAB_DATA_DIR', flag: 'data-dir', def: './.lab/data', help: 'Host directory shared with every node at /opt/nfs (kept by lab down)' },
  { key: 'LAB_KUBECONFIG', flag: 'kubeconfig', help: 'Kubeconfig the lab writes (default ./.lab/kubeconfig; for existing: $KUBECONFIG or ~/.kube/config, read only)' },
  { key: 'LAB_CONTEXT', flag: 'context', help: 'Kube context to use with LAB_PROVIDER=existing (required there, nowhere else)' },
  { key: 'LAB_STORAGE', flag: 'storage', def: 'hostpath', help: 'PV backing: hostpath (shared mount) | nfs (in-cluster NFS server)' },
  { key: 'LAB_CPUS', flag: 'cpus', def: '4', help: 'CPUs for the minikube VM/container' },
  { key: 'LAB_MEMORY', flag: 'memory', def: '12g', help: 'Memory for the minikube VM/container (e.g. 12g, 12288m, 12288)' },
  { key: 'LAB_FRONTEND_V2_IMAGE', flag: 'frontend-v2-image', help: "Image of sock-shop's front-end v2 (default: v1's, see manifests/sock-shop/front-end-v2.yaml)" },
  { key: 'LAB_PF_PORTS', flag: 'pf-ports', help: 'Local ports of `lab pf`, e.g. grafana=3001,kiali=20002 (default: front-end 8079, eng-app 3000, grafana 8000, prometheus 9090, alertmanager 9093, kiali 20001, jaeger 16686, argocd 8081)' },
  { key: 'LAB_GITOPS', flag: 'gitops', def: 'off', help: 'off | argocd: Argo CD syncs the samples from a git server in the lab (LAB_DATA_DIR/gitops; `lab gitops commit`)' },
  { key: 'LAB_ENG_APP_IMAGE', flag: 'eng-app-image', help: 'Image of the eng_app Rails app (default: the eng_app document\'s, manifests/eng-app/app.yaml)' },
];

/** What each profile needs from the container engine: derived from what `up` installs
 * (lab/footprint/needs.ts over bench/footprint.ts's figures; a test keeps these equal to the
 * derivation, so a change to any request shows up here). `components`: what the profile installs. */
export const PROFILE_NEEDS: Record<ProfileName, { cpus: number; memoryMiB: number; components: string[] }> = {
  minimal: { cpus: 3, memoryMiB: 6144, components: ['istio', 'samples'] },
  standard: { cpus: 3, memoryMiB: 8192, components: ['istio', 'samples', 'prometheus', 'alertmanager', 'grafana', 'jaeger', 'kiali', 'flagger', 'flagger-loadtester'] },
  full: { cpus: 4, memoryMiB: 8192, components: ['istio', 'samples', 'prometheus', 'alertmanager', 'grafana', 'jaeger', 'kiali', 'flagger', 'flagger-loadtester', 'loki', 'alloy'] },
};

/** The same with LAB_GITOPS=argocd (Argo CD and the git server added: 0.24 CPU, 528 MiB requested;
 * derived the same way, and kept equal to the derivation by the same test). */
export const GITOPS_NEEDS: Record<ProfileName, { cpus: number; memoryMiB: number }> = {
  minimal: { cpus: 3, memoryMiB: 7168 },
  standard: { cpus: 4, memoryMiB: 8192 },
  full: { cpus: 4, memoryMiB: 9216 },
};
