// The canary exercise's Canary (manifests/exercises/canary/front-end) and what follows from it:
// the names Flagger gives its objects, the analysis numbers, and the arithmetic that turns them
// into how long a promotion and a rollback take (the lab's budgets: ≤ 3 min and ≤ 1 min).
// Flagger's behaviour below is read from fluxcd/flagger@v1.44.0: pkg/controller/scheduler.go
// (advanceCanary: one run per interval), pkg/apis/flagger/v1beta1/canary.go (defaults, the 10 s
// floor on the interval) and pkg/canary/status.go (phases, the Promoted condition).
import { durationMs } from './duration.ts';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjRef } from '../kube-refs.ts';
import { clusterUrl, ENDPOINTS } from '../observability/endpoints.ts';
import { ISTIO_NETWORKING, NS, phaseObjects } from './front-end-mesh.ts';

export const CANARY_API = 'flagger.app/v1beta1';
/** The phase folder: manifests/exercises/canary/front-end. */
export const CANARY_PHASE = 'front-end';
export const TARGET = 'front-end';
export const PRIMARY = `${TARGET}-primary`;
export const CANARY_SERVICE = `${TARGET}-canary`;
/** Flagger picks the first of its -selector-labels (app,name,app.kubernetes.io/name) the target selects by. */
export const SELECTOR_LABEL = 'app';

/** What the Canary's load-test webhook calls: the loadtester chart's Service (lab/observability/endpoints.ts);
 * a test keeps the YAML's URL equal to it. */
export const LOADTESTER_URL = clusterUrl(ENDPOINTS.flaggerLoadtester);

const ref = (apiVersion: string, kind: string, name: string): ObjRef => ({ apiVersion, kind, namespace: NS, name });
export const CANARY_REF = ref(CANARY_API, 'Canary', TARGET);
export const CANARY_CRD_REF: ObjRef = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'canaries.flagger.app' };
export const TARGET_REF = ref('apps/v1', 'Deployment', TARGET);
/** Shares app=front-end with the target: front-end-canary (selector app=front-end) would send canary traffic to it. */
export const V2_REF = ref('apps/v1', 'Deployment', 'front-end-v2');
export const SERVICE_REF = ref('v1', 'Service', TARGET);
export const LAB_VS_REF = ref(ISTIO_NETWORKING, 'VirtualService', TARGET);
export const LAB_DR_REF = ref(ISTIO_NETWORKING, 'DestinationRule', TARGET);
/** The lab objects Flagger or the exercise change, in the order they are recorded. */
export const LAB_REFS: ObjRef[] = [V2_REF, TARGET_REF, SERVICE_REF, LAB_DR_REF, LAB_VS_REF];
/** What Flagger creates (absent before: the restore deletes them), with the Canary itself. */
export const FLAGGER_REFS: ObjRef[] = [
  ref(CANARY_API, 'Canary', TARGET),
  ref(ISTIO_NETWORKING, 'DestinationRule', CANARY_SERVICE),
  ref(ISTIO_NETWORKING, 'DestinationRule', PRIMARY),
  ref('v1', 'Service', CANARY_SERVICE),
  ref('v1', 'Service', PRIMARY),
  ref('apps/v1', 'Deployment', PRIMARY),
];
export const PRIMARY_REF = ref('apps/v1', 'Deployment', PRIMARY);

export interface CanaryObject extends KubernetesObject {
  spec: {
    targetRef: { apiVersion: string; kind: string; name: string };
    suspend?: boolean;
    revertOnDeletion?: boolean;
    service: { port: number; targetPort?: number; portName?: string; hosts?: string[]; gateways?: string[] };
    analysis: {
      interval: string;
      threshold: number;
      stepWeight: number;
      maxWeight: number;
      metrics: Array<{ name: string; interval?: string; thresholdRange?: { min?: number; max?: number } }>;
      webhooks?: Array<{ name: string; type?: string; url: string; timeout?: string; metadata?: Record<string, string> }>;
    };
  };
}

/** The Canary as manifests/exercises/canary/front-end has it. */
export function canaryObject(): CanaryObject {
  const found = phaseObjects('canary', CANARY_PHASE).filter((o) => o.kind === 'Canary');
  if (found.length !== 1) throw new Error(`manifests/exercises/canary/${CANARY_PHASE} must hold exactly one Canary, found ${found.length}`);
  return found[0] as unknown as CanaryObject;
}
export interface Analysis {
  intervalMs: number;
  threshold: number;
  stepWeight: number;
  maxWeight: number;
  /** The weights the canary passes through, in order: stepWeight, 2·stepWeight, … up to the first ≥ maxWeight. */
  steps: number[];
  /** From Progressing to Succeeded when every check passes: (steps + 3) runs — the steps, then the
   * run at maxWeight that promotes, the one that routes back to the primary, the one that finalises. */
  promotionMs: number;
  /** From Progressing to Failed when every check fails: (threshold + 2) runs — the first weight (no
   * check at weight 0), `threshold` failed checks, the run that rolls back. */
  rollbackMs: number;
  /** Before Progressing: Flagger notices the change at the Canary's next run, < 1 interval later. */
  detectionMs: number;
}

export function analysisOf(c: CanaryObject = canaryObject()): Analysis {
  const a = c.spec.analysis;
  // Flagger never runs an analysis more often than every 10 s (GetAnalysisInterval).
  const intervalMs = Math.max(10_000, durationMs(a.interval));
  // runCanary adds stepWeight (capped at 100, not at maxWeight) while the weight is below maxWeight:
  // 10/50 gives 10 … 50; 20/50 would give 20, 40, 60.
  const steps: number[] = [];
  for (let w = a.stepWeight; ; w += a.stepWeight) {
    steps.push(Math.min(100, w));
    if (w >= a.maxWeight || w >= 100) break;
  }
  return {
    intervalMs,
    threshold: a.threshold,
    stepWeight: a.stepWeight,
    maxWeight: a.maxWeight,
    steps,
    promotionMs: intervalMs * (steps.length + 3),
    rollbackMs: intervalMs * (a.threshold + 2),
    detectionMs: intervalMs,
  };
}

/** The lab's budgets (issue 11): a healthy change promoted within 3 min, a faulty one rolled back
 * within 1 min — counted from when Flagger starts the analysis (Progressing); the report also gives
 * the time from the change, which adds Flagger's detection (< 1 interval). */
export const PROMOTION_BUDGET_MS = 180_000;
export const ROLLBACK_BUDGET_MS = 60_000;
