// Durations as the manifests write them — Go's form, which Flagger's analysis ("10s", "1m30s") and
// Istio's fields ("2s", "300ms", "0.5s") share — in ms.
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new RangeError(`not a duration: ${JSON.stringify(text)} (expected e.g. 2s, 300ms or 1m30s)`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2] as keyof typeof UNIT_MS], 0);
}
