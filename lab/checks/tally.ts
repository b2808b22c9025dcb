// Small aggregation helpers shared by the checks.
import { percentile } from './stats.ts';
import type { LatencySummary } from './report-types.ts';

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** p50/p95/p99/max of latencies; null when there are none. */
export function latencySummary(latenciesMs: readonly number[]): LatencySummary | null {
  if (latenciesMs.length === 0) return null;
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted[sorted.length - 1]),
  };
}

/** "http 503 ×3, ECONNRESET ×2" — largest first. */
export function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
}

/** Validate a fraction option such as --min 0.99; the message names the flag. */
export function assertFraction(flag: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    const hint = typeof value === 'number' && value > 1 && value <= 100 ? ` (did you mean ${value / 100}?)` : '';
    throw new RangeError(`${flag}: must be a fraction between 0 and 1, got ${String(value)}${hint}`);
  }
}

export function assertPositiveInt(flag: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${flag}: must be a positive integer, got ${String(value)}`);
}

export function assertNonNegativeInt(flag: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${flag}: must be a non-negative integer, got ${String(value)}`);
}
