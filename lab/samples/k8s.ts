// Small builders for the sample apps' plain Kubernetes objects, so every sample gets the same
// conventions: the lab's managed-by label, Istio's `app`/`version` labels, the app node group,
// and sidecars sized for a laptop.
import type { V1Container, V1Deployment, V1Namespace, V1PodSpec, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { NODEGROUP_LABEL } from '../config-keys.ts';
import { MANAGED_BY } from '../kube.ts';

/** Sample workloads run on the `app` node group; `kubernetes.io/os` (not the removed beta label). */
export const APP_NODE_SELECTOR = { 'kubernetes.io/os': 'linux', [NODEGROUP_LABEL]: 'app' };

/** Istio's default sidecar requests (100m / 128Mi) would dominate a 15-pod app on a laptop;
 * Envoy for one low-traffic workload fits easily in these. Limits stay Istio's defaults. */
export const SIDECAR_ANNOTATIONS = {
  'sidecar.istio.io/proxyCPU': '10m',
  'sidecar.istio.io/proxyMemory': '64Mi',
};

export function namespace(name: string): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { ...MANAGED_BY, 'istio-injection': 'enabled' } },
  };
}

export interface WorkloadSpec {
  namespace: string;
  /** Deployment name; also the `app` label unless `app` is given (front-end-v2 → app front-end). */
  name: string;
  app?: string;
  version?: string;
  containers: V1Container[];
  volumes?: V1PodSpec['volumes'];
  initContainers?: V1Container[];
  strategy?: 'RollingUpdate' | 'Recreate';
}

/** `app` + `version` labels as Istio and Kiali expect them. */
export function podLabels(app: string, version: string): Record<string, string> {
  return { app, version };
}

/**
 * One-replica Deployment. The selector carries `app` AND `version`: two Deployments of one app
 * (front-end v1/v2) must not have overlapping selectors (Kubernetes docs: controllers would
 * fight). The Service selects on `app` only, so every version sits behind the same Service.
 */
export function deployment(w: WorkloadSpec): V1Deployment {
  const app = w.app ?? w.name;
  const labels = podLabels(app, w.version ?? 'v1');
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: w.name, namespace: w.namespace, labels: { ...MANAGED_BY, ...labels } },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      ...(w.strategy ? { strategy: { type: w.strategy } } : {}),
      template: {
        metadata: { labels: { ...MANAGED_BY, ...labels }, annotations: { ...SIDECAR_ANNOTATIONS } },
        spec: {
          nodeSelector: { ...APP_NODE_SELECTOR },
          ...(w.initContainers ? { initContainers: w.initContainers } : {}),
          containers: w.containers,
          ...(w.volumes ? { volumes: w.volumes } : {}),
        },
      },
    },
  };
}

/** ClusterIP Service selecting `app` only. Port names must carry Istio's protocol prefix. */
export function service(ns: string, name: string, app: string, ports: V1ServicePort[]): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { ...MANAGED_BY, app } },
    spec: { selector: { app }, ports: ports.map((p) => ({ protocol: 'TCP', targetPort: p.port, ...p })) },
  };
}

/** Resources as `requests cpu/memory, limit memory`. No CPU limit on purpose: CFS throttling turns
 * a 30 s JVM start into minutes on a busy laptop, and requests already share the CPU fairly. */
export function sized(cpu: string, memory: string, memoryLimit: string): V1Container['resources'] {
  return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}

/** A memory-backed /tmp, for containers with a read-only root filesystem. */
export const TMP_VOLUME = { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };
