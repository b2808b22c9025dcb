// Everything a test needs to run the real Flagger against a sim cluster, in one call. For the Flagger
// test (test/cluster/flagger.test.ts) and the canary exercise's tests.
//
//   const rig = await startFlaggerRig({ kubeconfig, context, namespace: 'sock-shop', target: 'front-end', seed: 11 });
//   rig.webhooks.gate       → http://127.0.0.1:<loadtester>/gate/check  (a confirm-rollout webhook; closed until openGate)
//   rig.webhooks.loadTest   → http://127.0.0.1:<loadtester>/            (a rollout webhook, metadata.type cmd…)
//   await rig.openGate('front-end', 'sock-shop');   // the loadtester's /gate/open for that Canary
//   rig.setMode('faulty');                          // 'healthy' | 'faulty' (50 % 5xx) | 'slow' (> 500 ms), at any time
//   rig.flagger.logs(); rig.loadtester.logs();      // for failure messages
//   await rig.stop();                               // Flagger, loadtester, Prometheus, exporter; safe to call twice
//
// What it starts: Flagger's CRDs (flagger.app, from the testenv) applied server-side and established;
// a synthetic Istio exporter for `<target>` (canary) and `<target>-primary` in `namespace`
// (test/cluster/flagger-traffic.ts), traffic generated every 200 ms; Debian's Prometheus scraping it
// every second; the loadtester and Flagger (lab/testenv/flagger.ts), each in its own network namespace
// and reachable only on 127.0.0.1. Flagger's -metrics-server is that Prometheus; it may call the
// loadtester. Istio's VirtualService and DestinationRule CRDs must already be served (`lab up` on sim
// installs them), or Flagger's Istio router fails on every canary.
//
// Judging a run: test/cluster/flagger-canary.ts — watchCanary (poll until a phase, with the phase/weight
// timeline), snapshot (phase, Promoted, the primary's revision annotation, VirtualService weights),
// promotionProblems / rollbackProblems / stepProblems / primaryOnlyProblems ([] = that outcome).
// Measured on sim with the Canary of test/cluster/flagger.test.ts (interval 10s, threshold 2, steps
// 25 → 50): promoted ≈ 40 s from the first step (≈ 55 s after its gate opened), rolled back ≈ 44–50 s
// after the change.
//
// In a Canary for this rig, set `analysis.metrics[].interval` short (e.g. 15s: the window Flagger's
// rate() looks back over, so a mode switch shows within it) and point webhooks at `rig.webhooks`
// (in-cluster Service names do not resolve from Flagger's namespace).
import type { KubernetesObject } from '@kubernetes/client-node';
import { waitCrdEstablished } from '../../lab/conditions.ts';
import { Kube } from '../../lab/kube.ts';
import { testenvCrds } from '../../lab/testenv/crds.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { FLAGGER_BINARY, LOADTESTER_BINARY, startFlagger, startLoadtester, type RunningFlagger, type RunningLoadtester } from '../../lab/testenv/flagger.ts';
import { ownNetworkUnavailable } from '../../lab/testenv/own-network.ts';
import { requireTestenv } from './harness.ts';
import { startPrometheus, type RunningPrometheus } from '../observability/real-prometheus.ts';
import { startCanaryTraffic, type CanaryTraffic, type TrafficMode } from './flagger-traffic.ts';

export { TRAFFIC_MODES, type TrafficMode } from './flagger-traffic.ts';

export const FLAGGER_CRD_GROUP = 'flagger.app';

export interface FlaggerRigOptions {
  kubeconfig: string;
  context: string;
  /** The Canary's namespace (the exporter's destination_workload_namespace). */
  namespace: string;
  /** The Canary's targetRef name. */
  target: string;
  /** The Service name (default the target). */
  service?: string;
  seed: number;
  /** Flagger's -control-loop-interval (default 2s). */
  controlLoopInterval?: string;
  /** Flagger watches only this namespace (default: all). */
  watchNamespace?: string;
  /** Further host ports Flagger's webhooks may call. */
  reach?: number[];
  mode?: TrafficMode;
}

export interface FlaggerRig {
  flagger: RunningFlagger;
  loadtester: RunningLoadtester;
  prometheus: RunningPrometheus;
  traffic: CanaryTraffic;
  webhooks: { gate: string; loadTest: string };
  setMode(mode: TrafficMode): void;
  openGate(canary: string, namespace: string): Promise<void>;
  closeGate(canary: string, namespace: string): Promise<void>;
  stop(): Promise<void>;
}

/** Apply Flagger's three CRDs server-side and wait until they are established; returns them. */
export async function applyFlaggerCrds(k: Kube): Promise<KubernetesObject[]> {
  const crds = testenvCrds(FLAGGER_CRD_GROUP);
  await k.apply(crds); // canaries is ≈ 75 KB: beyond client-side apply's annotation limit
  for (const c of crds) await waitCrdEstablished(k, c.metadata!.name!, 60_000);
  return crds;
}

async function gate(loadtester: RunningLoadtester, action: 'open' | 'close', name: string, namespace: string): Promise<void> {
  const res = await fetch(`${loadtester.url}/gate/${action}`, { method: 'POST', body: JSON.stringify({ name, namespace, phase: 'Waiting', metadata: {} }) });
  if (res.status !== 202) throw new Error(`loadtester /gate/${action} for ${name}.${namespace}: HTTP ${res.status} ${await res.text()}`);
}

export async function startFlaggerRig(o: FlaggerRigOptions): Promise<FlaggerRig> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => { for (const s of stops.splice(0).reverse()) await s().catch(() => undefined); };
  try {
    await applyFlaggerCrds(Kube.fromFile(o.kubeconfig, o.context));
    const traffic = await startCanaryTraffic({ seed: o.seed, namespace: o.namespace, target: o.target, service: o.service, mode: o.mode });
    stops.push(traffic.stop);
    const prometheus = await startPrometheus({ scrapeConfigs: [traffic.scrapeConfig('1s')], interval: '1s' });
    stops.push(prometheus.stop);
    const loadtester = await startLoadtester();
    stops.push(loadtester.stop);
    const flagger = await startFlagger({
      kubeconfig: o.kubeconfig,
      context: o.context,
      metricsServer: prometheus.url,
      namespace: o.watchNamespace,
      interval: o.controlLoopInterval ?? '2s',
      reach: [loadtester.port, ...(o.reach ?? [])],
    });
    stops.push(flagger.stop);
    let stopping: Promise<void> | undefined;
    return {
      flagger,
      loadtester,
      prometheus,
      traffic,
      webhooks: { gate: `${loadtester.url}/gate/check`, loadTest: `${loadtester.url}/` },
      setMode: (m) => traffic.setMode(m),
      openGate: (name, ns) => gate(loadtester, 'open', name, ns),
      closeGate: (name, ns) => gate(loadtester, 'close', name, ns),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** Why the Flagger tests cannot run here (testenv binaries, Flagger's builds, a network namespace), or undefined. */
export function flaggerRigMissing(): string | undefined {
  return requireTestenv()
    ?? [FLAGGER_BINARY, LOADTESTER_BINARY].map((b) => (existsSync(path.join(testenvBinDir(), b)) ? undefined : `${b} is not built: run make testenv`)).find(Boolean)
    ?? ownNetworkUnavailable();
}
