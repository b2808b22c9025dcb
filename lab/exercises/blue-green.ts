// blue-green (seed 000, 高度なデプロイ): all traffic on v1 (blue, 100/0), then one VirtualService
// change to 0/100 (green) while a steady request stream runs. Proves three things with numbers:
// before the switch nothing reaches v2, during it (almost) nothing fails, after it nothing reaches v1.
import type { SplitReport, SuccessRateReport } from '../checks/report-types.ts';
import { runSplitCheck } from '../checks/split.ts';
import { runSuccessRateCheck } from '../checks/success-rate.ts';
import { allTo, judge, noErrors, sampleComplete, zeroLeakSampleSize, type AssertionSpec } from './assertions.ts';
import { applyAndVerify, frontEndDiagnostics, frontEndStats, sleep } from './exercise-helpers.ts';
import { describePolicy, describeRoutes, DR_REF, phaseObject, phaseObjects, VERSION_HEADER, VS_REF, weightsOf, type Weights } from './front-end-mesh.ts';
import type { Exercise, ExerciseRun } from './types.ts';

/** manifests/exercises/blue-green/{blue,green}: all to v1, then all to v2. */
const weightsOfPhase = (phase: 'blue' | 'green') => weightsOf(phaseObject('blue-green', phase, 'VirtualService')) as Weights;
export interface BlueGreenTiming {
  /** Requests per all-v1 / all-v2 sample. */
  sampleN: number;
  /** The steady stream that must survive the switch. */
  stream: { durationMs: number; intervalMs: number; min: number };
  /** When the switch is applied, after the stream starts. */
  switchAfterMs: number;
  /** The stream must cover the switch: at least this much traffic before and after it. */
  minBeforeMs: number;
  minAfterMs: number;
  /** Until the first response of the expected version (a config push). */
  convergeTimeoutMs: number;
}

/** A leak of ≥ 1% to the other version shows up at least once with 99% probability (459 requests);
 * one request every 50 ms for 20 s (400 requests) with the switch 5 s in. */
export const TIMING: BlueGreenTiming = {
  sampleN: zeroLeakSampleSize(0.01, 0.99),
  stream: { durationMs: 20_000, intervalMs: 50, min: 0.995 },
  switchAfterMs: 5_000,
  minBeforeMs: 2_000,
  minAfterMs: 5_000,
  convergeTimeoutMs: 60_000,
};

export interface SwitchObservation {
  stream: SuccessRateReport;
  /** When the 0/100 VirtualService was accepted by the API, ms after the stream started. */
  switchAtMs: number;
}

export interface BlueGreenObserved {
  before: SplitReport | undefined;
  during: SwitchObservation | undefined;
  after: SplitReport | undefined;
}

async function allOn(x: ExerciseRun, t: BlueGreenTiming, expect: Weights, title: string): Promise<SplitReport | undefined> {
  return x.traffic(title, async () =>
    runSplitCheck({ url: `${await x.ops.ingressUrl()}/`, expect: { ...expect }, classify: `header:${VERSION_HEADER}`, requests: t.sampleN, tolerance: 5, confidence: 0.99, convergeTimeoutMs: t.convergeTimeoutMs }));
}

function switchSpecs(t: BlueGreenTiming): AssertionSpec<SwitchObservation>[] {
  return [
    {
      name: `switch: success rate through the switch ≥ ${t.stream.min * 100}%`,
      expected: `≥ ${t.stream.min * 100}% of a ${t.stream.durationMs / 1000} s stream (one request every ${t.stream.intervalMs} ms) answered 2xx`,
      judge: ({ stream: s }) => ({
        pass: s.status === 'pass',
        actual: s.reason,
        numbers: { ok: s.ok, total: s.total, ratePct: s.ratePct, minPct: s.minPct, longestFailureStreak: s.longestFailureStreak, p95Ms: s.latency?.p95Ms ?? null },
      }),
    },
    {
      name: 'switch: the stream spanned the switch',
      expected: `the switch at ≥ ${t.minBeforeMs} ms into the stream, with ≥ ${t.minAfterMs} ms of stream after it`,
      judge: ({ stream, switchAtMs }) => ({
        pass: switchAtMs >= t.minBeforeMs && stream.elapsedMs - switchAtMs >= t.minAfterMs,
        actual: `switch at ${Math.round(switchAtMs)} ms of ${stream.elapsedMs} ms`,
        numbers: { switchAtMs: Math.round(switchAtMs), streamMs: stream.elapsedMs },
      }),
    },
  ];
}

/** The exercise with its timing; tests use a shorter stream. */
export function makeBlueGreen(t: BlueGreenTiming = TIMING): Exercise<void, BlueGreenObserved> {
  return {
    name: 'blue-green',
    summary: `sock-shop front-end 100/0 → 0/100 with one VirtualService change: all v1, then all v2, ≥ ${t.stream.min * 100}% success through the switch`,
    needs: ['istio', 'samples'],
    manifests: () => ({ blue: phaseObjects('blue-green', 'blue'), green: phaseObjects('blue-green', 'green') }),

    async setup(x) {
      await x.save([VS_REF, DR_REF]);
      await applyAndVerify(x, 'route all of front-end to v1 (blue)',
        phaseObjects('blue-green', 'blue').map((obj) => ({ obj, holds: obj.kind === 'VirtualService' ? describeRoutes(obj) : describePolicy(obj) })));
    },

    async act(x) {
      const before = await allOn(x, t, weightsOfPhase('blue'), `${t.sampleN} requests before the switch (expect all v1)`);
      const t0 = Date.now();
      const stream = x.traffic('success-rate stream through the switch', async () => runSuccessRateCheck({ url: `${await x.ops.ingressUrl()}/`, ...t.stream }));
      let switchAtMs = 0;
      const switched = (async () => {
        if (x.dataPlane) await sleep(t.switchAfterMs);
        const green = phaseObject('blue-green', 'green', 'VirtualService');
        await applyAndVerify(x, 'switch front-end to v2 (green): 0/100', [{ obj: green, holds: describeRoutes(green) }]);
        switchAtMs = Date.now() - t0;
      })();
      const [report] = await Promise.all([stream, switched]);
      const after = await allOn(x, t, weightsOfPhase('green'), `${t.sampleN} requests after the switch (expect all v2)`);
      return { before, during: report ? { stream: report, switchAtMs } : undefined, after };
    },

    assert: (o, skipReason) => [
      ...judge(o.before, skipReason, [sampleComplete('before'), allTo('before', 'v1', 'v2'), noErrors('before')]),
      ...judge(o.during, skipReason, switchSpecs(t)),
      ...judge(o.after, skipReason, [sampleComplete('after'), allTo('after', 'v2', 'v1'), noErrors('after')]),
    ],

    async cleanup(x) {
      await x.restore();
    },

    diagnose: (x) => x.ops.collect(frontEndDiagnostics(frontEndStats)),
  };
}

export const blueGreen = makeBlueGreen();
