// Offline schema check for rendered objects: the OpenAPI schemas of kubernetes-models (built-in
// kinds), @kubernetes-models/istio (Istio CRDs) and @kubernetes-models/prometheus-operator (the
// lab's PodMonitor and ServiceMonitor), Flagger's Canary checked by flagger-canary-model.ts (no model
// package exists), plus the few rules those schemas leave out.
// Catches wrong types (replicas: "1"), missing required fields (a Service port without `port`),
// bad enums (tls.mode) and wrong apiVersions. It does NOT catch misspelt field names: the
// schemas allow unknown properties, as the API server's non-strict decoding would.
import type { KubernetesObject } from '@kubernetes/client-node';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1beta1/AuthorizationPolicy';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { IstioOperator } from '@kubernetes-models/istio/install.istio.io/v1alpha1/IstioOperator';
import { Telemetry } from '@kubernetes-models/istio/telemetry.istio.io/v1alpha1/Telemetry';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Canary } from './flagger-canary-model.ts';

type ModelClass = (new (data: never) => { validate(): void }) & { apiVersion: string; kind: string };

/** Kinds the lab renders. Add one here when you render a new kind: unknown kinds are reported. */
const MODELS: ModelClass[] = [
  Namespace, Pod, Service, Secret, ConfigMap, ServiceAccount, PersistentVolume, PersistentVolumeClaim,
  Deployment, StatefulSet, DaemonSet, Job, CronJob, StorageClass,
  Gateway, VirtualService, DestinationRule, ServiceEntry, PeerAuthentication, AuthorizationPolicy,
  IstioOperator, Telemetry, PodMonitor, ServiceMonitor, Canary,
] as unknown as ModelClass[];

const BY_TYPE = new Map(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, m]));

/** Istio serves its CRDs at v1, v1beta1 and v1alpha3 with one schema; @kubernetes-models/istio@2
 * ships no v1 models, so every version is checked against the v1beta1 schema. */
const ISTIO_ALIAS: Record<string, string> = {
  'networking.istio.io/v1': 'networking.istio.io/v1beta1',
  'networking.istio.io/v1alpha3': 'networking.istio.io/v1beta1',
  'security.istio.io/v1': 'security.istio.io/v1beta1',
  'telemetry.istio.io/v1': 'telemetry.istio.io/v1alpha1',
};

export function describeObject(o: KubernetesObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind ?? '<no kind>'}/${ns}${o.metadata?.name ?? '<no name>'}`;
}

/** Rules the Istio schemas lack (they mark nothing required) and Istio's validation enforces. */
function istioRules(o: KubernetesObject): string[] {
  const spec = (o as { spec?: Record<string, any> }).spec ?? {};
  const out: string[] = [];
  if (o.kind === 'DestinationRule' && !spec.host) out.push('spec.host is required');
  if (o.kind === 'Gateway') {
    if (!spec.servers?.length) out.push('spec.servers must not be empty');
    (spec.servers ?? []).forEach((s: any, i: number) => {
      if (typeof s?.port?.number !== 'number') out.push(`spec.servers[${i}].port.number is required`);
      if (!s?.hosts?.length) out.push(`spec.servers[${i}].hosts must not be empty`);
    });
  }
  if (o.kind === 'VirtualService') {
    if (!spec.hosts?.length) out.push('spec.hosts must not be empty');
    (spec.http ?? []).forEach((h: any, i: number) => {
      const routes: any[] = h?.route ?? [];
      if (routes.some((r) => !r?.destination?.host)) out.push(`spec.http[${i}].route: every destination needs a host`);
      const sum = routes.reduce((a, r) => a + (r?.weight ?? 0), 0);
      if (routes.length > 1 && sum !== 100) out.push(`spec.http[${i}].route weights sum to ${sum}, not 100`);
    });
  }
  return out;
}

/** Problems with one object, each prefixed with kind/namespace/name. Empty = valid. */
export function validateObject(o: KubernetesObject): string[] {
  const who = describeObject(o);
  const problems: string[] = [];
  if (!o.metadata?.name) problems.push('metadata.name is required');
  const apiVersion = ISTIO_ALIAS[o.apiVersion ?? ''] ?? o.apiVersion;
  const Model = BY_TYPE.get(`${apiVersion}/${o.kind}`);
  if (!Model) {
    problems.push(`no schema for ${o.apiVersion}/${o.kind} (add its model in lab/samples/validate.ts)`);
  } else {
    try {
      new Model({ ...o, apiVersion } as never).validate();
    } catch (e) {
      problems.push(...(e instanceof Error ? e.message : String(e)).split('\n').filter(Boolean).map((l) => l.replace(/^data\//, '')));
    }
  }
  if (apiVersion?.startsWith('networking.istio.io/')) problems.push(...istioRules(o));
  return problems.map((p) => `${who}: ${p}`);
}

/** Problems with all objects (see validateObject); also flags two objects with one identity. */
export function validateObjects(objs: KubernetesObject[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const o of objs) {
    const group = (o.apiVersion ?? '').split('/').slice(0, -1).join('/'); // v1beta1 and v1 of one kind are one object
    const id = `${group}:${describeObject(o)}`;
    if (seen.has(id)) out.push(`${describeObject(o)}: rendered twice`);
    seen.add(id);
    out.push(...validateObject(o));
  }
  return out;
}
