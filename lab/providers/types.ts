// The one narrow interface every cluster provider implements (kind, minikube, existing, sim).
import type { LabConfig } from '../config.ts';
import type { Runner } from '../run.ts';
import type { Log } from '../log.ts';
import type { ProviderCapabilities } from './capabilities.ts';

/** The parts of a cluster that cannot change in place; compared by `up` to decide skip/refuse. */
export interface ClusterSpec {
  provider: string;
  name: string;
  k8sVersion: string;
  workers: number;
  workerGroups: string[];
  httpPort: number;
  httpsPort: number;
  dataDir: string;
}

export interface ProviderDeps {
  cfg: LabConfig;
  run: Runner;
  log: Log;
  /** Resolves a CLI name to the binary to run (PATH or .lab/bin). */
  tool(name: string): string;
  /** process.platform unless a test says otherwise. */
  platform?: string;
}

/** What `lab plan` shows for the cluster step: the commands and files, without running them. */
export interface ClusterPlan {
  commands: string[][];
  files: Array<{ path: string; content: string }>;
  notes: string[];
}

export interface ClusterProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** The kube context the lab uses in `cfg.kubeconfig`; never the user's current-context. */
  contextName(): string;
  /** CLIs this provider needs on the host (checked by preflight). */
  requiredTools(): string[];
  /** Does the provider need a container engine (docker/podman)? */
  needsContainerEngine(): boolean;
  plan(): ClusterPlan;
  exists(): Promise<boolean>;
  create(opts: { retain: boolean }): Promise<void>;
  /** Remove the cluster (or, for existing, nothing of the user's). */
  delete(): Promise<void>;
  /** Where the ingress gateway is reachable from the host. */
  ingressUrl(): Promise<string>;
  /** Does this provider label nodes after create (minikube, existing with --label-nodes)? */
  labelsNodesAfterCreate(): boolean;
  /** Whether the lab created this cluster (existing: never). */
  ownsCluster(): boolean;
  /** Ports the cluster publishes on 127.0.0.1, with the setting that names each (checked by preflight). */
  hostPorts(): Array<{ key: string; port: number }>;
  /** A host port that is not free: held by the lab's own cluster (`own`), or by something the
   * provider can name; undefined when it cannot tell. */
  portHolder(port: number): Promise<{ own: boolean; who: string } | undefined>;
  /** The command a user runs to delete a same-named cluster the lab refuses to touch. */
  manualDeleteCommand(): string[];
}

export function desiredSpec(cfg: LabConfig): ClusterSpec {
  return {
    provider: cfg.provider,
    name: cfg.clusterName,
    k8sVersion: cfg.k8sVersion,
    workers: cfg.workers,
    workerGroups: cfg.workerGroups,
    httpPort: cfg.httpPort,
    httpsPort: cfg.httpsPort,
    dataDir: cfg.dataDir,
  };
}

/** Differences between two specs as "field: have → want" lines; empty when equal. */
export function diffSpecs(have: ClusterSpec, want: ClusterSpec): string[] {
  const out: string[] = [];
  for (const key of Object.keys(want) as Array<keyof ClusterSpec>) {
    const a = JSON.stringify(have[key]);
    const b = JSON.stringify(want[key]);
    if (a !== b) out.push(`${key}: ${a ?? '(unknown)'} → ${b}`);
  }
  return out;
}
