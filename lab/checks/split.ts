// Traffic-split check: converge until every expected version answers, then take
// ONE fixed sample (never retried) and compare each share with its weight.
import { assertReachable, failureReason, sendRequests, type RequestResult } from './http-load.ts';
import { classifyResponse, describeClassifier, parseClassifier, type Classifier } from './classify.ts';
import { requiredSampleSize, shareNearestHalf, zForConfidence } from './stats.ts';
import { assertNonNegativeInt, assertPositiveInt, countBy, latencySummary } from './tally.ts';
import { evaluateSplitSample } from './split-evaluate.ts';
import { requiredLabels, validateExpect, type SplitExpectation } from './split-expect.ts';
import type { SplitReport } from './report-types.ts';

export { parseExpect } from './split-expect.ts';

export interface SplitCheckOptions {
  url: string;
  /** Label → expected weight in percent, summing to 100. */
  expect: SplitExpectation;
  /** A parsed classifier or rule specs such as "header:x-lab-version" / "body:v2=v2". */
  classify: Classifier | string | string[];
  /** Fixed sample size; default requiredSampleSize(expect, tolerance, confidence). */
  requests?: number;
  /** Default 0.99. */
  confidence?: number;
  /** Allowed |share − weight| in percentage points. Default 5. */
  tolerance?: number;
  /** Default 4. */
  concurrency?: number;
  /** Give up waiting for every expected label after this long. Default 60000. */
  convergeTimeoutMs?: number;
  /** Pacing between convergence requests. Default 20. */
  convergeIntervalMs?: number;
  /** Failed requests (transport errors, 5xx) tolerated in the sample. Default 0. */
  maxErrors?: number;
  headers?: Record<string, string>;
  /** Per-request timeout. Default 5000. */
  timeoutMs?: number;
  keepAlive?: boolean;
  /** Deadline for the whole fixed sample. Default max(60000, 4·n·timeoutMs/concurrency capped at 10 min). */
  sampleTimeoutMs?: number;
}

const BODY_SNIPPET_CHARS = 4096;

/** A request counts as failed (not classified) when it has no response or a 5xx. */
export function isFailedResult(r: RequestResult): boolean {
  return r.status === null || r.status >= 500;
}

function sampleSizePlan(expect: SplitExpectation, tolerance: number, confidence: number, given: number | undefined) {
  const shares = Object.values(expect).map((w) => w / 100);
  const recommended = requiredSampleSize(shares, tolerance, confidence);
  const p = shareNearestHalf(shares);
  const formula = `⌈z²·p(1−p)/E²⌉ with z=${zForConfidence(confidence).toFixed(3)} (${+(confidence * 100).toFixed(4)}% two-sided), ` +
    `p=${+p.toFixed(4)} (expected share nearest 0.5), E=${tolerance}pp → ${recommended}`;
  if (given === undefined) return { n: recommended, source: 'computed' as const, how: formula, recommended };
  const note = given < recommended ? ` (below the recommended ${recommended}: ${formula})` : ` (recommended ${recommended})`;
  return { n: given, source: 'given' as const, how: `--requests ${given}${note}`, recommended };
}

export async function runSplitCheck(opts: SplitCheckOptions): Promise<SplitReport> {
  const expect = validateExpect(opts.expect);
  const classifier = typeof opts.classify === 'object' && !Array.isArray(opts.classify) ? opts.classify : parseClassifier(opts.classify);
  const confidence = opts.confidence ?? 0.99;
  const tolerance = opts.tolerance ?? 5;
  const concurrency = opts.concurrency ?? 4;
  const convergeTimeoutMs = opts.convergeTimeoutMs ?? 60_000;
  const convergeIntervalMs = opts.convergeIntervalMs ?? 20;
  const maxErrors = opts.maxErrors ?? 0;
  const timeoutMs = opts.timeoutMs ?? 5000;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`--confidence: must be strictly between 0 and 1, got ${confidence}`);
  if (!(tolerance > 0 && tolerance < 100)) throw new RangeError(`--tolerance: must be between 0 and 100 percentage points, got ${tolerance}`);
  assertPositiveInt('--concurrency', concurrency);
  assertNonNegativeInt('--max-errors', maxErrors);
  if (opts.requests !== undefined) assertPositiveInt('--requests', opts.requests);
  if (!(convergeTimeoutMs > 0)) throw new RangeError(`--converge-timeout: must be > 0 ms, got ${convergeTimeoutMs}`);
  const plan = sampleSizePlan(expect, tolerance, confidence, opts.requests);
  const sampleTimeoutMs = opts.sampleTimeoutMs ?? Math.max(60_000, Math.min(600_000, (4 * plan.n * timeoutMs) / concurrency));

  await assertReachable(opts.url, Math.min(timeoutMs, 2000), opts.headers);

  const load = {
    url: opts.url, concurrency, timeoutMs, headers: opts.headers, keepAlive: opts.keepAlive,
    captureHeaders: classifier.headerNames, bodySnippetChars: classifier.needsBody ? BODY_SNIPPET_CHARS : 0,
  };
  const label = (r: RequestResult) => classifyResponse(classifier, r);

  // Phase 1: converge — poll until every expected label (weight > 0) has answered.
  const needed = requiredLabels(expect);
  const seen = new Set<string>();
  const converge = await sendRequests({
    ...load,
    requests: Math.ceil(convergeTimeoutMs / Math.max(1, convergeIntervalMs)) + concurrency,
    intervalMs: convergeIntervalMs,
    deadlineMs: convergeTimeoutMs,
    until: (r) => {
      if (!isFailedResult(r)) seen.add(label(r));
      return needed.every((l) => seen.has(l));
    },
  });
  // Requests cut off by the convergence deadline itself are not answers; leave them out.
  const convergeDone = converge.results.filter((r) => r.errorCode !== 'DEADLINE');
  const convergeOk = convergeDone.filter((r) => !isFailedResult(r));
  const convergeInfo = {
    ms: Math.round(converge.elapsedMs),
    requests: convergeDone.length,
    errors: convergeDone.length - convergeOk.length,
    seen: countBy(convergeOk, label),
    converged: needed.every((l) => seen.has(l)),
  };
  const base = {
    check: 'split' as const, url: opts.url, expect, tolerancePp: tolerance, confidence, classify: describeClassifier(classifier),
  };
  if (!convergeInfo.converged) {
    const missing = needed.filter((l) => !seen.has(l));
    const seenText = Object.entries(convergeInfo.seen).map(([l, c]) => `${l} ×${c}`).join(', ') || 'nothing classified';
    return {
      ...base, status: 'fail',
      reason: `did not converge: ${missing.join(', ')} not seen within ${convergeTimeoutMs} ms ` +
        `(${convergeInfo.requests} requests, ${convergeInfo.errors} failed; seen: ${seenText}) — is the route applied and are all versions ready?`,
      sample: { n: plan.n, completed: 0, classified: 0, source: plan.source, how: plan.how, recommended: plan.recommended },
      labels: [], unexpectedLabels: [], errors: { count: 0, max: maxErrors, byReason: {} }, chiSquare: null,
      converge: convergeInfo, timings: { sampleMs: 0, requestsPerSecond: 0 }, latency: null,
    };
  }

  // Phase 2: one fixed sample of n requests. Never retried, never extended.
  const sample = await sendRequests({ ...load, requests: plan.n, deadlineMs: sampleTimeoutMs });
  const failed = sample.results.filter(isFailedResult);
  const classified = sample.results.filter((r) => !isFailedResult(r));
  const decision = evaluateSplitSample(
    { counts: countBy(classified, label), errorsByReason: countBy(failed, failureReason) },
    { expect, tolerancePp: tolerance, confidence, maxErrors },
  );
  const completed = sample.results.filter((r) => r.errorCode !== 'DEADLINE').length;
  let { status, reason } = decision;
  if (completed < plan.n) {
    status = 'fail';
    reason = `sample incomplete: ${completed} of ${plan.n} requests finished within ${sampleTimeoutMs} ms; ${reason}`;
  }
  return {
    ...base, status, reason,
    sample: { n: plan.n, completed, classified: decision.classified, source: plan.source, how: plan.how, recommended: plan.recommended },
    labels: decision.labels,
    unexpectedLabels: decision.unexpectedLabels,
    errors: { count: decision.errorCount, max: maxErrors, byReason: countBy(failed, failureReason) },
    chiSquare: decision.chiSquare,
    converge: convergeInfo,
    timings: {
      sampleMs: Math.round(sample.elapsedMs),
      requestsPerSecond: Math.round((sample.results.length / Math.max(sample.elapsedMs, 1)) * 1000 * 10) / 10,
    },
    latency: latencySummary(sample.results.map((r) => r.latencyMs)),
  };
}
