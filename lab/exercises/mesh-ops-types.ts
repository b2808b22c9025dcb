// Everything an exercise does to the cluster goes through MeshOps: API reads/writes in wire form,
// waits, the gateway's Envoy stats, the ingress URL and diagnostic commands. The real one
// (mesh-ops.ts) uses the lab's kubeconfig and context; tests use an in-memory one.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjRef } from '../kube.ts';

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

export interface MeshOps {
  /** The live object in wire form (plain JSON, as `kubectl get -o json` shows it), or undefined. */
  get(ref: ObjRef): Promise<KubernetesObject | undefined>;
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
}
