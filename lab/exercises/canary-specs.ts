// The canary exercise's judgements, pure: what one change (healthy or faulty) must have led to,
// from what act observed — the Canary's phase and Promoted condition, the weights it passed
// through, the primary's template and the VirtualService's routes.
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { AssertionSpec, Judged } from './assertions.ts';
import { CANARY_SERVICE, PRIMARY, type Analysis } from './canary-spec.ts';
import { CHANGE_ANNOTATION, markOf, type ChangeKind } from './canary-changes.ts';
import { describeHostWeights } from './canary-routing.ts';
import type { CanaryWatch } from './canary-watch.ts';
import { jsonDiff } from './snapshot.ts';

export interface ChangeObservation {
  kind: ChangeKind;
  /** The change's annotation value. */
  mark: string;
  /** The budget the outcome had to come within, ms after Flagger started the analysis. */
  deadlineMs: number;
  watch: CanaryWatch;
  /** The primary Deployment just before the change, and after the outcome. */
  primaryBefore: KubernetesObject | undefined;
  primaryAfter: KubernetesObject | undefined;
  /** Whether the primary's rollout had finished after the outcome (error text if not). */
  primaryRollout: { done: boolean; error?: string };
  /** The target's pod template as the change applied it (front-end). */
  target: KubernetesObject | undefined;
  /** host → weight of the VirtualService front-end after the outcome. */
  routes: Record<string, number>;
}

const secs = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const templateOf = (d: KubernetesObject | undefined) => (d as V1Deployment | undefined)?.spec?.template;

/** The weights the canary passed through while analysed, in order, repeats and 0 left out. */
export function weightSteps(o: ChangeObservation): number[] {
  const out: number[] = [];
  for (const e of o.watch.timeline) {
    if ((e.phase === 'Progressing' || e.phase === 'Promoting') && e.canaryWeight > 0 && out.at(-1) !== e.canaryWeight) out.push(e.canaryWeight);
  }
  return out;
}

/** The outcome within the budget, counted from when Flagger started the analysis (Progressing).
 * `runsMs`: Flagger's own time for it when every check passes (healthy) or fails (faulty). */
function outcome(kind: ChangeKind, want: 'Succeeded' | 'Failed', deadlineMs: number, a: Analysis, runsMs: number, runs: string): AssertionSpec<ChangeObservation> {
  const s = (ms: number) => ms / 1000;
  return {
    name: `${kind} change: Canary front-end ${want} within ${s(deadlineMs)} s`,
    expected: `.status.phase ${want} ≤ ${s(deadlineMs)} s after Flagger started the analysis (Flagger alone: ${s(runsMs)} s = ${runsMs / a.intervalMs} runs of ${s(a.intervalMs)} s: ${runs}; noticing the change takes < ${s(a.detectionMs)} s more)`,
    judge: ({ watch: w }): Judged => {
      const phase = w.final.phase ?? '(no status)';
      const took = w.outcomeMs !== null && w.startedMs !== null ? w.outcomeMs - w.startedMs : null;
      const actual = took !== null ? `${phase} ${secs(took)} after Progressing (${secs(w.outcomeMs)} after the change)`
        : `no outcome after ${secs(w.watchedMs)}: ${phase} at canaryWeight ${w.final.canaryWeight}${w.startedMs === null ? ' (never Progressing: the change was not picked up)' : ''}`;
      return {
        pass: took !== null && phase === want && took <= deadlineMs,
        actual: `${actual}${w.readErrors ? `; ${w.readErrors} failed readings (${w.lastError})` : ''}`,
        numbers: {
          phase,
          analysisS: took === null ? null : +(took / 1000).toFixed(1),
          sinceChangeS: w.outcomeMs === null ? null : +(w.outcomeMs / 1000).toFixed(1),
          deadlineS: s(deadlineMs),
          polls: w.polls,
        },
      };
    },
  };
}

function promoted(kind: ChangeKind, status: 'True' | 'False', reason: string): AssertionSpec<ChangeObservation> {
  return {
    name: `${kind} change: condition Promoted is ${status} (${reason})`,
    expected: `.status.conditions[type=Promoted] status ${status}, reason ${reason}`,
    judge: ({ watch: w }) => {
      const c = w.final.promoted;
      return {
        pass: c?.status === status && c.reason === reason,
        actual: c ? `${c.status} (${c.reason}): ${c.message}` : 'no Promoted condition',
        numbers: { status: c?.status ?? null, reason: c?.reason ?? null },
      };
    },
  };
}

function routedToPrimary(kind: ChangeKind): AssertionSpec<ChangeObservation> {
  const want = { [PRIMARY]: 100, [CANARY_SERVICE]: 0 };
  return {
    name: `${kind} change: VirtualService front-end routes ${describeHostWeights(want)}`,
    expected: `after the outcome, all of the gateway's traffic on the primary: ${describeHostWeights(want)}`,
    judge: (o) => ({
      pass: jsonDiff(want, o.routes).length === 0,
      actual: describeHostWeights(o.routes),
      numbers: { primary: o.routes[PRIMARY] ?? null, canary: o.routes[CANARY_SERVICE] ?? null },
    }),
  };
}

/** Healthy: promoted within the budget, every step on the way, the primary on the new template. */
export function healthySpecs(a: Analysis, deadlineMs: number): AssertionSpec<ChangeObservation>[] {
  return [
    outcome('healthy', 'Succeeded', deadlineMs, a, a.promotionMs, `${a.steps.length} steps, promote, route back, finalise`),
    promoted('healthy', 'True', 'Succeeded'),
    {
      name: `healthy change: canaryWeight rose in steps of ${a.stepWeight} to ${a.maxWeight}`,
      expected: `.status.canaryWeight sampled while Progressing: ${a.steps.join(' → ')}, each step seen, none skipped, never down`,
      judge: (o) => {
        const seen = weightSteps(o);
        return { pass: jsonDiff(a.steps, seen).length === 0, actual: seen.length ? seen.join(' → ') : 'no weight above 0 seen', numbers: { steps: seen.length, maxSeen: seen.length ? Math.max(...seen) : 0, maxWeight: a.maxWeight } };
      },
    },
    {
      name: 'healthy change: front-end-primary runs the new template',
      expected: `front-end-primary's pod spec equals front-end's, its template carries ${CHANGE_ANNOTATION}=<this change>, and its rollout finished`,
      judge: (o) => {
        const diff = jsonDiff(templateOf(o.target)?.spec, templateOf(o.primaryAfter)?.spec);
        const mark = markOf(o.primaryAfter);
        const problems = [
          ...(o.primaryAfter ? [] : ['front-end-primary is missing']),
          ...diff.map((d) => `pod spec differs at ${d}`),
          ...(mark === o.mark ? [] : [`${CHANGE_ANNOTATION}=${mark ?? '(absent)'}, not ${o.mark}`]),
          ...(o.primaryRollout.done ? [] : [`rollout not finished: ${o.primaryRollout.error ?? 'unknown'}`]),
        ];
        return { pass: problems.length === 0, actual: problems.length ? problems.join('; ') : `pod spec equal, ${CHANGE_ANNOTATION}=${mark}, rolled out`, numbers: { differences: diff.length, rolledOut: o.primaryRollout.done } };
      },
    },
    routedToPrimary('healthy'),
  ];
}

/** Faulty: rolled back within the budget after it got traffic, the primary untouched. */
export function faultySpecs(a: Analysis, deadlineMs: number): AssertionSpec<ChangeObservation>[] {
  return [
    outcome('faulty', 'Failed', deadlineMs, a, a.rollbackMs, `first weight, ${a.threshold} failed checks, roll back`),
    promoted('faulty', 'False', 'Failed'),
    {
      name: `faulty change: the analysis ran (canaryWeight reached ${a.steps[0]}) before the rollback`,
      expected: `canaryWeight ≥ ${a.steps[0]} seen while Progressing: the canary got traffic and was judged by its metrics`,
      judge: (o) => {
        const seen = weightSteps(o);
        return { pass: seen.length > 0, actual: seen.length ? `weights ${seen.join(' → ')}` : 'never above 0', numbers: { maxSeen: seen.length ? Math.max(...seen) : 0 } };
      },
    },
    {
      name: 'faulty change: front-end-primary unchanged',
      expected: 'front-end-primary\'s pod template after the rollback equals the one before the faulty change',
      judge: (o) => {
        const diff = o.primaryBefore && o.primaryAfter ? jsonDiff(templateOf(o.primaryBefore), templateOf(o.primaryAfter)) : ['front-end-primary is missing'];
        return { pass: diff.length === 0, actual: diff.length ? `changed: ${diff.join('; ')}` : `unchanged (${CHANGE_ANNOTATION}=${markOf(o.primaryAfter) ?? '(absent)'})`, numbers: { differences: diff.length } };
      },
    },
    routedToPrimary('faulty'),
  ];
}
