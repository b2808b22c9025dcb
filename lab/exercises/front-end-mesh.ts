// The sock-shop objects the exercises change, built from the samples' own builders so they are the
// same complete objects `lab up` applies, plus the exercise's differences: weights, a per-version
// response header on each route, a traffic policy, a replica count, a gateway stats annotation.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { ISTIO_NAMESPACE } from '../istio/operator.ts';
import type { ObjRef } from '../kube.ts';
import { destinationRule, ISTIO_NETWORKING, virtualService, type IstioObject } from '../samples/istio.ts';
import { SOCK_SHOP_NAMESPACE } from '../samples/sock-shop.ts';
import { restoreForm } from './snapshot.ts';

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

/** VirtualService front-end: the gateway's traffic split by weight, each route stamping its version
 * on the response (route destination `headers.response.set`), so a client can count versions. */
export function frontEndVirtualService(weights: Weights): IstioObject {
  const vs = virtualService(NS, 'front-end', ['*'], ['sock-shop-gateway'], VERSIONS.map((v) => ({ host: 'front-end', subset: v, port: 80, weight: weights[v] })));
  for (const r of routesOf(vs)) r.headers = { response: { set: { [VERSION_HEADER]: r.destination.subset } } };
  return vs;
}

/** DestinationRule front-end: subsets v1/v2, optionally with a traffic policy. */
export function frontEndDestinationRule(trafficPolicy?: Record<string, unknown>): IstioObject {
  return destinationRule(NS, 'front-end', 'front-end', [...VERSIONS], trafficPolicy);
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
export const GATEWAY_STAT_SUFFIXES = ['upstream_rq_pending_overflow'];
export const PROXY_CONFIG_ANNOTATION = 'proxy.istio.io/config';

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
