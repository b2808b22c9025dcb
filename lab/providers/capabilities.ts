// What each provider is and can do, declared once, so the rest of the lab asks "does this cluster
// run pods?", "is the ingress already on a host port?", "how is the mesh installed?" rather than
// "is this sim?". A new provider adds one entry here and its class file. Static, so settings
// validation and step selection can use it before any provider object exists.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ProviderName } from '../config-keys.ts';
import { testenvCrds } from '../testenv/crds.ts';
import { testenvBinDir } from '../testenv/paths.ts';
import { KIND_NODE_IMAGES, MINIKUBE_DEFAULT_K8S, TESTENV } from '../versions.ts';

export interface ProviderCapabilities {
  /** Pods really run: images are pulled, pods write files, traffic flows. false on sim. */
  dataPlane: boolean;
  /** The host checks of `lab doctor` (engine, ports, inotify, CLIs) apply. */
  hostPreflight: boolean;
  /** The cluster publishes the ingress gateway on 127.0.0.1:LAB_HTTP_PORT itself (no port-forward). */
  ingressOnHostPort: boolean;
  /** `istioctl install` of the IstioOperator, or the API objects of `istioctl manifest generate`
   * without its webhooks (no istiod can run to answer them). */
  meshInstall: 'istioctl' | 'generated-objects';
  /** A cluster the user names with LAB_CONTEXT in their own kubeconfig (read only), not one the lab makes. */
  namedContext: boolean;
  /** LAB_DATA_DIR on this machine is /opt/nfs on every node (kind's extraMounts, minikube's
   * --mount-string with the docker driver), so what a pod writes under a lab volume is visible here. */
  dataDirOnNodes: boolean;
  /** Directories searched for CLIs before .lab/bin and PATH (sim: the test environment's builds). */
  toolDirs(): string[];
  /** Kubernetes versions it can run with what is pinned; undefined = any. */
  k8sVersions(): string[] | undefined;
  /** LAB_K8S_VERSION when unset ('' = the cluster's own). */
  defaultK8sVersion(): string;
  /** CRDs of an API group the provider can supply when the chart that brings them cannot be
   * installed (sim: the monitoring.coreos.com CRDs from the test environment). */
  fallbackCrds?(group: string): KubernetesObject[];
}

const none = () => [];

export const CAPABILITIES: Record<ProviderName, ProviderCapabilities> = {
  kind: {
    dataPlane: true, hostPreflight: true, ingressOnHostPort: true, meshInstall: 'istioctl', namedContext: false, dataDirOnNodes: true, toolDirs: none,
    k8sVersions: () => Object.keys(KIND_NODE_IMAGES),
    defaultK8sVersion: () => Object.keys(KIND_NODE_IMAGES)[0] ?? '',
  },
  minikube: {
    dataPlane: true, hostPreflight: true, ingressOnHostPort: false, meshInstall: 'istioctl', namedContext: false, dataDirOnNodes: true, toolDirs: none,
    k8sVersions: () => undefined,
    defaultK8sVersion: () => MINIKUBE_DEFAULT_K8S,
  },
  existing: {
    dataPlane: true, hostPreflight: true, ingressOnHostPort: false, meshInstall: 'istioctl', namedContext: true, dataDirOnNodes: false, toolDirs: none,
    k8sVersions: () => undefined,
    defaultK8sVersion: () => '',
  },
  sim: {
    dataPlane: false, hostPreflight: false, ingressOnHostPort: false, meshInstall: 'generated-objects', namedContext: false, dataDirOnNodes: false,
    toolDirs: () => [testenvBinDir()],
    k8sVersions: () => [TESTENV.kubernetes],
    defaultK8sVersion: () => TESTENV.kubernetes,
    // The monitoring.coreos.com CRDs from the prometheus-operator Go module the testenv fetched
    // (the operator version kube-prometheus-stack ships), for when its archive is not cached.
    fallbackCrds: (group) => testenvCrds(group),
  },
};
