// Envoy's /clusters admin page (`pilot-agent request GET clusters`): one `cluster::…::value` per
// line, including each cluster's circuit-breaker thresholds, e.g.
//   outbound|80|v1|front-end.sock-shop.svc.cluster.local::default_priority::max_connections::1
// Reading them tells whether a gateway already enforces a DestinationRule's connection pool.
import type { GatewayAdminText } from './mesh-ops-types.ts';

export interface BreakerThresholds {
  maxConnections?: number;
  maxPendingRequests?: number;
  maxRequests?: number;
  maxRetries?: number;
}

const NAMES: Record<string, keyof BreakerThresholds> = {
  max_connections: 'maxConnections',
  max_pending_requests: 'maxPendingRequests',
  max_requests: 'maxRequests',
  max_retries: 'maxRetries',
};

/** The default-priority thresholds of `cluster`; empty when the page does not list the cluster. */
export function breakerThresholds(text: string, cluster: string): BreakerThresholds {
  const prefix = `${cluster}::default_priority::`;
  const out: BreakerThresholds = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(prefix)) continue;
    const [name, value] = line.slice(prefix.length).split('::');
    const key = NAMES[name];
    if (key && /^\d+$/.test(value ?? '')) out[key] = Number(value);
  }
  return out;
}

/** Does every pod enforce at most `connections` connections and `pending` pending requests? */
export function enforcesPool(pods: GatewayAdminText[], cluster: string, connections: number, pending: number): { ok: boolean; byPod: Record<string, BreakerThresholds> } {
  const byPod = Object.fromEntries(pods.map((p) => [p.pod, breakerThresholds(p.text, cluster)]));
  const ok = pods.length > 0 && Object.values(byPod).every((t) => t.maxConnections === connections && t.maxPendingRequests === pending);
  return { ok, byPod };
}

/**
 * Hosts of `cluster` that outlier detection has ejected: host lines are
 * `<cluster>::<ip:port>::health_flags::<flags>`, `healthy` or `/failed_outlier_check` (and others).
 */
export function ejectedHosts(text: string, cluster: string): string[] {
  const prefix = `${cluster}::`;
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith(prefix)) continue;
    const [host, field, flags] = line.slice(prefix.length).split('::');
    if (field === 'health_flags' && /failed_outlier_check/.test(flags ?? '')) out.push(host);
  }
  return out;
}

/** Part two of circuit-breaker: no pod still limits connections to `limit` nor keeps a host ejected. */
export function breakerLifted(pods: GatewayAdminText[], cluster: string, limit: number): { ok: boolean; byPod: Record<string, { maxConnections?: number; ejected: string[] }> } {
  const byPod = Object.fromEntries(pods.map((p) => [p.pod, { maxConnections: breakerThresholds(p.text, cluster).maxConnections, ejected: ejectedHosts(p.text, cluster) }]));
  const ok = pods.length > 0 && Object.values(byPod).every((v) => v.maxConnections !== undefined && v.maxConnections > limit && v.ejected.length === 0);
  return { ok, byPod };
}
