// The chart releases' pods, from the chart contract (fixtures/charts/contract.json): what each
// pinned chart renders with our values, plus what prometheus-operator makes of the Prometheus and
// Alertmanager resources, plus the sidecar Istio injects into a release's pods in a meshed namespace
// (the loadtester in sock-shop), sized by the pod's sidecar.istio.io annotations as the contract has
// them. Jobs (hooks) finish and hold nothing; they are not counted.
import { loadContract, releaseFact, type ChartContract } from '../charts/contract.ts';
import { RELEASES } from '../observability/endpoints.ts';
import type { ReleaseKey } from '../observability/profiles.ts';
import { injects, sidecarFor, type PodSet } from './lab-workloads.ts';

/** `injected`: the namespaces labelled istio-injection=enabled (the samples'). */
export function chartPodSets(key: ReleaseKey, injected: Set<string>, contract: ChartContract = loadContract()): PodSet[] {
  const fact = releaseFact(contract, RELEASES[key].release);
  return fact.workloads
    .filter((w) => w.kind !== 'Job' && w.kind !== 'CronJob')
    .map((w) => ({
      what: `${w.kind}/${w.namespace}/${w.name}`,
      pods: w.replicas ?? 1,
      perNode: w.kind === 'DaemonSet',
      containers: [
        ...w.containers.map((c) => ({ name: c.name, init: c.init, requests: c.requests, limits: c.limits })),
        ...(injects(injected, w.namespace, w.sidecarAnnotations) ? [sidecarFor(w.sidecarAnnotations)] : []),
      ],
    }));
}
