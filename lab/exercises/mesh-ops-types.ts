// Everything an exercise does to the cluster goes through MeshOps: API reads/writes in wire form,
// waits, the gateway's Envoy stats, the ingress URL and diagnostic commands. The real one
// (mesh-ops.ts) uses the lab's kubeconfig and context; tests use an in-memory one.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjRef } from '../kube.ts';
import type { ApplicationClient } from '../gitops/auto-sync.ts';
import type { GitopsPusher } from '../gitops/pusher.ts';
import type { EndpointName } from '../observability/endpoints.ts';

/** What one gateway pod's Envoy admin answered (`pilot-agent request GET stats|clusters`). */
export interface GatewayAdminText {
  pod: string;
  text: string;
}

/** Envoy admin pages the exercises read: counters, and per-cluster circuit-breaker thresholds. */
export type GatewayAdminPage = 'stats' | 'clusters';

export interface DiagnosticRequest {
  title: string;
  tool: 'kubectl' | 'istioctl';
  /** Arguments after the tool and its --kubeconfig/--context. */
  args: string[];
  /** Keep only matching lines (e.g. the stats of one cluster). */
  filter?: (line: string) => boolean;
  /** Keep the last N lines. Default 60. */
  tailLines?: number;
}

export interface DiagnosticEntry {
  title: string;
  argv: string[];
  exitCode: number | null;
  output: string;
}

/** What a command run through MeshOps.command gave: never thrown, always reported. */
export interface CommandResult {
  argv: string[];
  /** null: it could not be run or was killed at its timeout (stderr says which). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** The lab's own `lab down` (never --purge) and `lab up`, with this run's settings. */
export interface LabRelaunch {
  down(): Promise<void>;
  up(): Promise<void>;
}

/** LAB_GITOPS=argocd: the lab's GitOps repository and Argo CD's Applications. */
export interface GitopsOps {
  /** Commits in scratch clones, pushed to main (the user's manifests/ is never touched). */
  repo: Pick<GitopsPusher, 'head' | 'commitChange' | 'revert'>;
  applications: ApplicationClient;
  /** The lab's Applications, root → parents → children. */
  order: string[];
}

/** Where a node's path is on this machine, or why it is not there. */
export type HostPath = { path: string } | { why: string };

export interface MeshOps {
  /** The live object in wire form (plain JSON, as `kubectl get -o json` shows it), or undefined. */
  get(ref: ObjRef): Promise<KubernetesObject | undefined>;
  /** Objects of one kind in wire form, optionally in one namespace and by label selector. */
  list(apiVersion: string, kind: string, opts?: { namespace?: string; labelSelector?: string }): Promise<KubernetesObject[]>;
  /** kubectl or istioctl with the lab's --kubeconfig and --context (exec into the exercise's own
   * client pod, cordon a lab node, `proxy-config secret`); never throws. Default timeout 30 s. */
  command(tool: 'kubectl' | 'istioctl', args: string[], opts?: { timeoutMs?: number; input?: string }): Promise<CommandResult>;
  /** Server-side apply of complete objects with the lab's field manager. */
  apply(objs: KubernetesObject[]): Promise<void>;
  delete(ref: ObjRef): Promise<boolean>;
  /** Until the Deployment's rollout is complete and every replica is available. */
  waitRollout(namespace: string, name: string, timeoutMs?: number): Promise<void>;
  /** Ready endpoints behind a Service (from its EndpointSlices). */
  readyEndpoints(namespace: string, service: string): Promise<number>;
  /** An Envoy admin page of every running ingress-gateway pod. */
  gatewayAdmin(page: GatewayAdminPage): Promise<GatewayAdminText[]>;
  /** Base URL of the ingress gateway, without a trailing slash. */
  ingressUrl(): Promise<string>;
  /** Run diagnostic commands; never throws (a failed command is an entry with its exit code). */
  collect(requests: DiagnosticRequest[]): Promise<DiagnosticEntry[]>;
  /** Base URL (http://127.0.0.1:PORT + the endpoint's path, no trailing slash) of an in-cluster
   * Service from lab/observability/endpoints.ts, reached through a port-forward that stays open
   * until close(). Needs a data plane (a pod behind the Service). */
  serviceUrl(endpoint: EndpointName): Promise<string>;
  /** For the persistence exercise: delete and re-create the lab; undefined when the run was told
   * not to (`--no-relaunch`). */
  relaunch?: LabRelaunch;
  /** A path on the nodes under /opt/nfs as a path on this machine (LAB_DATA_DIR/…), when the
   * provider mounts LAB_DATA_DIR on every node; otherwise why it cannot be seen from here. */
  hostPathOf(nodePath: string): HostPath;
  /** With LAB_GITOPS=argocd only. */
  gitops?: GitopsOps;
  /** End whatever the run opened (the port-forwards). The runner calls it once the run is over;
   * never throws; safe to call twice. */
  close(): Promise<void>;
}
