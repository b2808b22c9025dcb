// The sock-shop objects the exercises change. What each phase applies is manifests/exercises/
// <exercise>/<phase> (complete objects: weights, a per-version response header on each route, a
// traffic policy); what an exercise patches on live objects — a replica count, the gateway's stats
// annotation — is here, with the readers of both (weights, routes, a policy's description).
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { ISTIO_NAMESPACE } from '../istio/operator.ts';
import type { ObjRef } from '../kube.ts';
import { loadManifests, pick } from '../manifests.ts';
import { SOCK_SHOP_NAMESPACE } from '../samples/sock-shop.ts';
import { restoreForm } from './snapshot.ts';

/** networking.istio.io/v1 is GA since Istio 1.22 and what 1.30 stores. */
export const ISTIO_NETWORKING = 'networking.istio.io/v1';

export interface IstioObject extends KubernetesObject {
  spec: Record<string, unknown>;
}

export const NS = SOCK_SHOP_NAMESPACE;
export const FRONT_END_HOST = `front-end.${NS}.svc.cluster.local`;
export const VERSION_HEADER = 'x-lab-version';
export const VERSIONS = ['v1', 'v2'] as const;
export type Weights = Record<(typeof VERSIONS)[number], number>;

export const VS_REF: ObjRef = { apiVersion: ISTIO_NETWORKING, kind: 'VirtualService', namespace: NS, name: 'front-end' };
export const DR_REF: ObjRef = { apiVersion: ISTIO_NETWORKING, kind: 'DestinationRule', namespace: NS, name: 'front-end' };
export const CARTS_REF: ObjRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'carts' };
export const GATEWAY_REF: ObjRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ISTIO_NAMESPACE, name: 'istio-ingressgateway' };

interface RouteDestination {
  destination: { host: string; subset: string; port: { number: number } };
  weight: number;
  headers?: { response?: { set?: Record<string, string> } };
}

/** Every object of one exercise phase, as `kubectl apply -k manifests/exercises/<exercise>/<phase>` would apply it. */
export function phaseObjects(exercise: string, phase: string): IstioObject[] {
  return loadManifests(`exercises/${exercise}/${phase}`) as IstioObject[];
}

/** The phase's front-end VirtualService or DestinationRule. */
export function phaseObject(exercise: string, phase: string, kind: 'VirtualService' | 'DestinationRule'): IstioObject {
  return pick<IstioObject>(phaseObjects(exercise, phase), kind, 'front-end');
}

/** "routes v1=80, v2=20, setting x-lab-version on each response" — what a VirtualService does. */
export function describeRoutes(vs: KubernetesObject): string {
  const routes = routesOf(vs);
  const stamped = routes.length > 0 && routes.every((r) => r.headers?.response?.set?.[VERSION_HEADER] === r.destination.subset);
  return `routes ${routes.map((r) => `${r.destination.subset}=${r.weight ?? 0}`).join(', ')}${stamped ? `, setting ${VERSION_HEADER} on each response` : ''}`;
}

type Policy = {
  connectionPool?: { tcp?: { maxConnections?: number }; http?: { http1MaxPendingRequests?: number } };
  outlierDetection?: { consecutive5xxErrors?: number; interval?: string; baseEjectionTime?: string; maxEjectionPercent?: number };
};

/** A DestinationRule's traffic policy (undefined when it has none). */
export function policyOf(dr: KubernetesObject): Policy | undefined {
  return (dr as IstioObject).spec?.trafficPolicy as Policy | undefined;
}

/** "has subsets v1/v2 … and no traffic policy" or "allows 1 connection + 1 pending request and ejects …". */
export function describePolicy(dr: KubernetesObject): string {
  const subsets = ((dr as IstioObject).spec?.subsets as Array<{ name: string }> | undefined)?.map((x) => x.name).join('/') ?? '';
  const p = policyOf(dr);
  if (!p) return `has subsets ${subsets} (by the version label) and no traffic policy`;
  const pool = p.connectionPool;
  const od = p.outlierDetection;
  return [
    pool ? `allows ${pool.tcp?.maxConnections} connection(s) + ${pool.http?.http1MaxPendingRequests} pending request(s)` : '',
    od ? `ejects a host after ${od.consecutive5xxErrors} consecutive 5xx (${od.interval} interval, ${od.baseEjectionTime}, up to ${od.maxEjectionPercent}%)` : '',
  ].filter(Boolean).join(' and ');
}

export function routesOf(vs: KubernetesObject): RouteDestination[] {
  const http = (vs as IstioObject).spec?.http as Array<{ route?: RouteDestination[] }> | undefined;
  return http?.flatMap((h) => h.route ?? []) ?? [];
}

/** subset → weight, as a live VirtualService routes it. */
export function weightsOf(vs: KubernetesObject): Record<string, number> {
  return Object.fromEntries(routesOf(vs).map((r) => [r.destination.subset, r.weight ?? 0]));
}

/** A complete copy of a recorded Deployment with another replica count. */
export function withReplicas(saved: KubernetesObject, replicas: number): V1Deployment {
  const d = restoreForm(saved) as V1Deployment;
  d.spec!.replicas = replicas;
  return d;
}

/** Envoy stats the circuit-breaker exercise reads; Istio's default inclusion list leaves them out. */
const GATEWAY_STAT_SUFFIXES = ['upstream_rq_pending_overflow'];
const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

/**
 * A complete copy of the recorded gateway Deployment whose pods' ProxyConfig also emits
 * GATEWAY_STAT_SUFFIXES (proxyStatsMatcher.inclusionSuffixes, merged into any ProxyConfig already
 * there). Undefined when it already does: no change, no rollout.
 */
export function gatewayWithStats(saved: KubernetesObject): V1Deployment | undefined {
  const d = restoreForm(saved) as V1Deployment;
  const meta = (d.spec!.template.metadata ??= {});
  const current = meta.annotations?.[PROXY_CONFIG_ANNOTATION];
  const config = (current ? parse(current) : {}) as { proxyStatsMatcher?: { inclusionSuffixes?: string[] } };
  const suffixes = config.proxyStatsMatcher?.inclusionSuffixes ?? [];
  if (GATEWAY_STAT_SUFFIXES.every((s) => suffixes.includes(s))) return undefined;
  config.proxyStatsMatcher = { ...config.proxyStatsMatcher, inclusionSuffixes: [...suffixes, ...GATEWAY_STAT_SUFFIXES.filter((s) => !suffixes.includes(s))] };
  meta.annotations = { ...meta.annotations, [PROXY_CONFIG_ANNOTATION]: stringify(config) };
  return d;
}
