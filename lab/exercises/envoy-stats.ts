// Envoy's plain-text stats (`pilot-agent request GET stats`, admin /stats): one `name: value` per
// line. Counters and gauges are integers; histograms ("P0(…) P25(…)" or "No recorded values") are
// not numbers and are left out. Cluster stats are `cluster.<cluster name>.<stat>`, and Istio's
// cluster names contain dots and pipes: outbound|80|v1|front-end.sock-shop.svc.cluster.local.
import type { GatewayAdminText } from './mesh-ops-types.ts';

const LINE = /^(\S+): (-?\d+)$/;

/** name → value for every integer stat in the text. */
export function parseEnvoyStats(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Istio's outbound cluster name for a subset: outbound|PORT|SUBSET|HOST. */
export function outboundCluster(port: number, subset: string, host: string): string {
  return `outbound|${port}|${subset}|${host}`;
}

export function clusterStatName(cluster: string, stat: string): string {
  return `cluster.${cluster}.${stat}`;
}

/** One cluster stat, or undefined when Envoy does not emit it (Istio's stats inclusion list). */
export function clusterStat(stats: Map<string, number>, cluster: string, stat: string): number | undefined {
  return stats.get(clusterStatName(cluster, stat));
}

export interface CounterReading {
  /** Sum over the pods that emit it; null when no pod emits it. */
  total: number | null;
  byPod: Record<string, number | null>;
}

/** The same counter read from every gateway pod. */
export function readCounter(pods: GatewayAdminText[], cluster: string, stat: string): CounterReading {
  const byPod: Record<string, number | null> = {};
  let total: number | null = null;
  for (const p of pods) {
    const v = clusterStat(parseEnvoyStats(p.text), cluster, stat);
    byPod[p.pod] = v ?? null;
    if (v !== undefined) total = (total ?? 0) + v;
  }
  return { total, byPod };
}

/**
 * How much a counter went up between two readings. Pods present in both readings only (a pod
 * that restarted in between has reset counters, so its difference would be meaningless).
 */
export function counterIncrease(before: CounterReading, after: CounterReading): number | null {
  let sum: number | null = null;
  for (const [pod, a] of Object.entries(after.byPod)) {
    const b = before.byPod[pod];
    if (a === null || b === null || b === undefined) continue;
    sum = (sum ?? 0) + Math.max(0, a - b);
  }
  return sum;
}
