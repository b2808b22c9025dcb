// What the fake Flagger (fake-flagger.ts) can be told: the ways it misbehaves, one at a time, and
// the Promoted condition it writes per phase (as fluxcd/flagger@v1.44.0 pkg/canary/status.go
// MakeStatusConditions: True when Initialized or Succeeded, False when Failed, Unknown between).
import type { FakeMeshOptions } from './fake-mesh.ts';
import type { VirtualClock } from './virtual-clock.ts';

export type Fault =
  /** No controller: the Canary never gets a status. */
  | 'never-answers'
  /** Stays Initializing (the primary never gets ready). */
  | 'never-initializes'
  /** Initialised without pointing the Service and the route at the primary. */
  | 'no-takeover'
  /** Template changes are never picked up (the Canary stays Initialized / Succeeded). */
  | 'never-progresses'
  /** Progressing, but never beyond the first weight and never an outcome. */
  | 'stalls'
  /** Every check passes, the faulty canary's too. */
  | 'promotes-faulty'
  /** Every check fails, the healthy canary's too. */
  | 'rolls-back-healthy'
  /** From 0 straight to maxWeight. */
  | 'jumps-to-max'
  /** Succeeded without copying the template to the primary. */
  | 'primary-not-updated'
  /** Rolls back but leaves the VirtualService at the canary's weight. */
  | 'vs-left-at-canary'
  /** Phases right, but the Promoted condition never written. */
  | 'no-promoted-condition'
  /** Every analysis run takes `slowFactor` ticks: right outcomes, too late. */
  | 'slow'
  /** Fails the faulty canary before shifting any weight to it. */
  | 'rolls-back-at-zero'
  /** The finalizer never runs: a deleted Canary stays. */
  | 'finalizer-stuck'
  /** Lets a deleted Canary go without reverting the Service, the replicas and the route. */
  | 'no-revert';

export interface FakeFlaggerOptions extends FakeMeshOptions {
  fault?: Fault;
  /** One analysis interval. Default 20 ms. */
  tickMs?: number;
  /** Tick on this clock's time (the exercise's, in the contract tests) instead of the machine's. */
  clock?: VirtualClock;
  slowFactor?: number;
  /** The cluster has no Canary CRD (Flagger not installed). */
  noCrd?: boolean;
}

/** pkg/router/util.go filterMetadata: on every Service and route Flagger writes. */
export const FLUX_OFF = { 'kustomize.toolkit.fluxcd.io/reconcile': 'disabled', 'helm.toolkit.fluxcd.io/driftDetection': 'disabled' };
export const PROMOTED: Record<string, [string, string]> = {
  Initializing: ['Unknown', 'New Deployment detected, starting initialization.'],
  Initialized: ['True', 'Deployment initialization completed.'],
  Progressing: ['Unknown', 'New revision detected, progressing canary analysis.'],
  Promoting: ['Unknown', 'Canary analysis completed, starting primary rolling update.'],
  Finalising: ['Unknown', 'Canary analysis completed, routing all traffic to primary.'],
  Succeeded: ['True', 'Canary analysis completed successfully, promotion finished.'],
  Failed: ['False', 'Canary analysis failed, Deployment scaled to zero.'],
};
