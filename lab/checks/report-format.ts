// Human-readable summaries of check reports, including a terminal bar chart
// for traffic splits. The reports themselves are plain JSON (report-types.ts).
import type { BreakerReport, CheckReport, LatencySummary, SplitReport, SuccessRateReport } from './report-types.ts';

export type { CheckReport, SplitReport, BreakerReport, SuccessRateReport } from './report-types.ts';

const FULL = '█';
const EMPTY = '░';

/** A fixed-width bar, e.g. renderBar(0.8, 20) → 16 full cells and 4 empty ones. */
export function renderBar(fraction: number, width = 20): string {
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`renderBar: width must be a positive integer, got ${width}`);
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.round(clamped * width);
  return FULL.repeat(filled) + EMPTY.repeat(width - filled);
}

const fmt1 = (v: number) => v.toFixed(1);
const fmtMs = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

function header(r: CheckReport): string {
  return `${r.check} check ${r.status === 'pass' ? 'PASS' : 'FAIL'} — ${r.reason}`;
}

function latencyLine(name: string, l: LatencySummary | null): string {
  if (!l) return `${name}: no responses`;
  return `${name}: p50 ${fmtMs(l.p50Ms)} ms, p95 ${fmtMs(l.p95Ms)} ms, p99 ${fmtMs(l.p99Ms)} ms, max ${fmtMs(l.maxMs)} ms (${l.count})`;
}

function formatPValue(p: number): string {
  return p < 0.0001 ? p.toExponential(2) : p.toFixed(4);
}

/** One bar-chart line per label: `v1  ████████████████░░░░  80.5% (342)  expected 80% ±5  [76.4, 84.1]`. */
export function splitChartLines(r: SplitReport, width = 20): string[] {
  const labelWidth = Math.max(...r.labels.map((l) => l.label.length), 2);
  const countWidth = Math.max(...r.labels.map((l) => String(l.count).length), 1);
  return r.labels.map((l) => {
    const share = `${fmt1(l.sharePct)}%`.padStart(6);
    const count = `(${l.count})`.padEnd(countWidth + 2);
    const expected = l.expectedPct === null ? 'unexpected' : `expected ${l.expectedPct}% ±${r.tolerancePp}`;
    const mark = l.withinTolerance ? '' : '  ✗';
    return `${l.label.padEnd(labelWidth)}  ${renderBar(l.sharePct / 100, width)}  ${share} ${count}  ${expected}  [${fmt1(l.ciPct.lower)}, ${fmt1(l.ciPct.upper)}]${mark}`;
  });
}

export function formatSplitReport(r: SplitReport): string {
  const lines = [header(r), `  url ${r.url}  classify ${r.classify}`];
  if (r.labels.length > 0) {
    lines.push(...splitChartLines(r).map((l) => `  ${l}`));
    lines.push(`  [interval] = Wilson ${+(r.confidence * 100).toFixed(4)}% confidence interval`);
  }
  lines.push(`  sample n=${r.sample.n} ${r.sample.source}: ${r.sample.how}`);
  const errs = Object.entries(r.errors.byReason).map(([k, v]) => `${k} ×${v}`).join(', ');
  lines.push(`  errors ${r.errors.count} (max ${r.errors.max})${errs ? `: ${errs}` : ''}`);
  if (r.chiSquare) {
    lines.push(`  chi-square vs expected split: χ²=${r.chiSquare.statistic.toFixed(2)} df=${r.chiSquare.df} p=${formatPValue(r.chiSquare.pValue)}`);
  }
  lines.push(`  converge ${r.converge.converged ? 'ok' : 'FAILED'} in ${r.converge.ms} ms (${r.converge.requests} requests, ${r.converge.errors} failed)`);
  if (r.sample.completed > 0) {
    lines.push(`  sample took ${r.timings.sampleMs} ms (${r.timings.requestsPerSecond} req/s); ${latencyLine('latency', r.latency)}`);
  }
  return lines.join('\n');
}

export function formatBreakerReport(r: BreakerReport): string {
  const c = r.counts;
  const lines = [
    header(r),
    `  url ${r.url}  concurrency ${r.concurrency}  requests ${r.requests}  (${r.elapsedMs} ms)`,
    `  overflow ${renderBar(r.overflowPct / 100)}  ${fmt1(r.overflowPct)}% [${fmt1(r.overflowCiPct.lower)}, ${fmt1(r.overflowCiPct.upper)}]  minimum ${r.minOverflowPct}%`,
    `  200 ×${c.ok}  503+x-envoy-overloaded ×${c.overflow}  other 503 ×${c.other503}  other status ×${c.otherStatus}  errors ×${c.errors}`,
  ];
  const others = Object.entries(r.otherByReason).map(([k, v]) => `${k} ×${v}`).join(', ');
  if (others) lines.push(`  other outcomes: ${others}`);
  lines.push(`  ${latencyLine('latency (all)', r.latency)}`);
  lines.push(`  ${latencyLine('latency (200)', r.latencyOk)}`);
  lines.push(`  ${latencyLine('latency (overflow)', r.latencyOverflow)}`);
  return lines.join('\n');
}

export function formatSuccessRateReport(r: SuccessRateReport): string {
  const lines = [
    header(r),
    `  url ${r.url}  one request every ${r.intervalMs} ms for ${r.durationMs} ms (${r.elapsedMs} ms elapsed)`,
    `  success ${renderBar(r.ratePct / 100)}  ${r.ratePct}% (${r.ok}/${r.total})  minimum ${r.minPct}%`,
  ];
  if (r.failed > 0) {
    const reasons = Object.entries(r.failedByReason).map(([k, v]) => `${k} ×${v}`).join(', ');
    lines.push(`  failed ${r.failed}: ${reasons}`);
    lines.push(`  longest failure streak ${r.longestFailureStreak}; failures between ${r.failureWindowMs?.first} ms and ${r.failureWindowMs?.last} ms`);
  }
  lines.push(`  ${latencyLine('latency', r.latency)}`);
  return lines.join('\n');
}

export function formatCheckReport(r: CheckReport): string {
  switch (r.check) {
    case 'split': return formatSplitReport(r);
    case 'breaker': return formatBreakerReport(r);
    case 'success-rate': return formatSuccessRateReport(r);
  }
}

/** Stable JSON for --json output. */
export function reportToJson(r: CheckReport): string {
  return JSON.stringify(r, null, 2);
}
