// The shapes of an exercise and of its report. An exercise is one module
// {name, summary, needs, setup, act, assert, cleanup, diagnose}; the runner (runner.ts) calls the
// phases in order and records everything in an ExerciseReport: exercise → steps → assertions.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjRef } from '../kube.ts';
import type { DiagnosticEntry, MeshOps } from './mesh-ops-types.ts';

export type { DiagnosticEntry, DiagnosticRequest, GatewayAdminPage, GatewayAdminText, MeshOps } from './mesh-ops-types.ts';

export const REPORT_SCHEMA = 'cloud-native-lab/exercise-report@1';

export type ItemStatus = 'pass' | 'fail' | 'skipped' | 'error';
export type Numbers = Record<string, number | string | boolean | null>;

export interface AssertionResult {
  name: string;
  status: 'pass' | 'fail' | 'skipped';
  /** What had to be true, with its numbers, e.g. "v1 share 80% ± 5pp". */
  expected: string;
  /** What was observed; null when skipped. */
  actual: string | null;
  numbers: Numbers;
  /** Why it was skipped or how it failed. */
  reason?: string;
}

export interface ActionRecord {
  title: string;
  /** traffic: requests through the ingress (needs a data plane); change: an API write; wait: polling the API. */
  kind: 'traffic' | 'change' | 'wait';
  status: ItemStatus;
  startedAt: string;
  durationMs: number;
  reason?: string;
  /** The check report (traffic) or what was written (change). */
  data?: unknown;
}

export type StepName = 'ready' | 'setup' | 'act' | 'assert' | 'diagnose' | 'cleanup';

export interface StepRecord {
  name: StepName;
  status: ItemStatus;
  startedAt: string | null;
  durationMs: number;
  reason?: string;
  error?: { message: string; detail?: string };
  actions: ActionRecord[];
  assertions: AssertionResult[];
  diagnostics: DiagnosticEntry[];
}

export interface ExerciseReport {
  schema: typeof REPORT_SCHEMA;
  exercise: string;
  summary: string;
  provider: string;
  /** false on LAB_PROVIDER=sim: the traffic phase is skipped. */
  dataPlane: boolean;
  status: 'pass' | 'fail';
  startedAt: string;
  durationMs: number;
  kept: boolean;
  counts: { passed: number; failed: number; skipped: number; errors: number };
  steps: StepRecord[];
}

/** What the runner hands every phase. */
export interface ExerciseRun {
  ops: MeshOps;
  dataPlane: boolean;
  /** "skipped (sim): needs a data plane" on sim. */
  skipReason: string;
  /** Whether the lab installs the pipeline step `step` in this configuration (e.g. loki only with
   * LAB_PROFILE=full), for parts of an exercise that need a component its `needs` do not require. */
  installed(step: string): boolean;
  /** Record the live objects (from the API) before changing them; absent ones are deleted on restore. */
  save(refs: ObjRef[]): Promise<void>;
  /** The recorded live object of `ref`, in wire form (undefined if it did not exist). */
  saved(ref: ObjRef): KubernetesObject | undefined;
  /** Re-apply every recorded object, delete what did not exist, and verify: one assertion per object. */
  restore(): Promise<void>;
  /** An API write, recorded as an action. */
  change<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Polling the API, recorded as an action. */
  wait<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Requests through the ingress: skipped (returns undefined) without a data plane. */
  traffic<T>(title: string, fn: () => Promise<T>): Promise<T | undefined>;
  /** Add an assertion to the current step (e.g. "the cluster now holds 80/20"). */
  record(a: AssertionResult): void;
}

export interface Exercise<S = unknown, O = unknown> {
  name: string;
  /** One line for `lab exercise --list`. */
  summary: string;
  /** Pipeline steps that must be ready (their `check` done), e.g. ['istio', 'samples']. */
  needs: string[];
  /** LAB_GITOPS=argocd: the exercise works through Argo CD (the gitops exercise), so the runner
   * leaves automated sync on; for every other exercise it pauses it for the run (lab/gitops/auto-sync.ts). */
  drivesGitops?: boolean;
  /** Every Istio object the exercise applies, by phase — for `istioctl analyze` and review. */
  manifests(): Record<string, KubernetesObject[]>;
  setup(x: ExerciseRun): Promise<S>;
  act(x: ExerciseRun, state: S): Promise<O>;
  /** Pure: judge what act observed. A missing observation (skipped traffic) gives skipped assertions. */
  assert(observed: O, skipReason: string): AssertionResult[];
  /** Always runs (unless --keep), even after a failed setup; `state` is undefined then. */
  cleanup(x: ExerciseRun, state: S | undefined): Promise<void>;
  /** Only after a failure: what explains it (proxy status, gateway stats, events, logs). */
  diagnose(x: ExerciseRun, state: S | undefined): Promise<DiagnosticEntry[]>;
}

/** Registry form: the phases' state types are the exercise's own business. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyExercise = Exercise<any, any>;
