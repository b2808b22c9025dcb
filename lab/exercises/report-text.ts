// The human summary of an exercise report: each step with its actions and assertions, the check
// reports (with the bar chart for splits), diagnostics after a failure, and one RESULT line.
import { formatCheckReport, type CheckReport } from '../checks/report-format.ts';
import type { ActionRecord, AssertionResult, ExerciseReport, ItemStatus, StepRecord } from './types.ts';

const MARK: Record<ItemStatus, string> = { pass: '✓', fail: '✗', skipped: '-', error: '!' };
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text: string, by: string) => text.split('\n').map((l) => `${by}${l}`).join('\n');

function isCheckReport(d: unknown): d is CheckReport {
  const c = (d as { check?: unknown })?.check;
  return c === 'split' || c === 'breaker' || c === 'success-rate';
}

/** Lines for what a traffic action measured: a check report, the gateway counter, a fail-fast probe. */
export function formatActionData(data: unknown): string[] {
  if (isCheckReport(data)) return formatCheckReport(data).split('\n');
  if (typeof data !== 'object' || data === null) return [`result: ${JSON.stringify(data)}`];
  const d = data as Record<string, unknown>;
  const lines: string[] = [];
  if (isCheckReport(d?.report)) lines.push(...formatCheckReport(d.report).split('\n'));
  if ('increase' in d) {
    const b = (d.before as { total: number | null }).total;
    const a = (d.after as { total: number | null }).total;
    lines.push(`gateway counter upstream_rq_pending_overflow: ${b ?? 'not emitted'} → ${a ?? 'not emitted'} (+${d.increase ?? '?'})`);
  }
  if ('answered5xx' in d) {
    const lat = d.latency as { p50Ms: number; p95Ms: number; maxMs: number } | null;
    lines.push(`fail-fast probe ${d.url}: ${d.answered}/${d.requests} answered, outcomes ${JSON.stringify(d.outcomes)}`);
    lines.push(lat ? `latency p50 ${lat.p50Ms} ms, p95 ${lat.p95Ms} ms, max ${lat.maxMs} ms (client timeout ${d.timeoutMs} ms)` : 'no responses');
  }
  return lines;
}

function actionLines(a: ActionRecord): string[] {
  const head = `${MARK[a.status]} ${a.kind.padEnd(7)} ${a.title}`;
  const tail = a.status === 'skipped' ? `: ${a.reason}` : a.status === 'error' ? `: ${a.reason}` : ` (${secs(a.durationMs)})`;
  const out = [head + tail];
  if (a.kind === 'traffic' && a.data !== undefined) out.push(...formatActionData(a.data).map((l) => `    ${l}`));
  // Any action may bring its own summary lines (the canary's phase timeline, its gateway stream).
  const own = (a.data as { lines?: unknown } | undefined)?.lines;
  if (Array.isArray(own) && own.every((l) => typeof l === 'string')) out.push(...own.map((l) => `    ${l}`));
  return out;
}

function assertionLine(a: AssertionResult): string {
  if (a.status === 'pass') return `${MARK.pass} ${a.name} — ${a.actual}`;
  if (a.status === 'skipped') return `${MARK.skipped} ${a.name}: ${a.reason} (would check: ${a.expected})`;
  return `${MARK.fail} ${a.name} — expected ${a.expected}; got ${a.actual ?? a.reason}`;
}

function stepLines(s: StepRecord): string[] {
  const what = s.status === 'skipped' ? s.reason : s.status === 'error' ? `error: ${s.error?.message}` : secs(s.durationMs);
  const out = [`  ${MARK[s.status]} ${s.name.padEnd(9)} ${what}`];
  if (s.error?.detail) out.push(indent(s.error.detail, '        '));
  for (const a of s.actions) out.push(...actionLines(a).map((l) => `      ${l}`));
  for (const a of s.assertions) out.push(`      ${assertionLine(a)}`);
  for (const d of s.diagnostics) {
    out.push(`      ▸ ${d.title}`, `        $ ${d.argv.join(' ')}  (exit ${d.exitCode ?? 'n/a'})`, indent(d.output || '(no output)', '        '));
  }
  return out;
}

export function resultLine(r: ExerciseReport): string {
  const c = r.counts;
  // On sim most skips are "needs a data plane"; when some have another reason (no Argo CD controller,
  // a chart not cached), the lines above give each one and the RESULT line does not claim one for all.
  const reasons = r.steps.flatMap((s) => s.assertions).filter((a) => a.status === 'skipped').map((a) => a.reason ?? '');
  const simWhy = reasons.every((why) => why.endsWith('needs a data plane')) ? ' (sim): needs a data plane' : ' (sim; each line above says why)';
  const skipped = c.skipped > 0 ? `${c.skipped} skipped${r.dataPlane ? '' : simWhy}` : '0 skipped';
  const errors = c.errors > 0 ? `, ${c.errors} step error${c.errors === 1 ? '' : 's'}` : '';
  return `RESULT: ${r.status.toUpperCase()} ${r.exercise} — ${c.passed} passed, ${c.failed} failed, ${skipped}${errors}; ${secs(r.durationMs)}`;
}

export function formatExerciseReport(r: ExerciseReport): string {
  const where = r.dataPlane ? r.provider : `${r.provider}, no data plane: the traffic phase is skipped`;
  const lines = [`Exercise ${r.exercise} (${where})`, `  ${r.summary}`];
  for (const s of r.steps) lines.push(...stepLines(s));
  if (r.kept) lines.push('  (--keep: the exercise\'s changes are still in the cluster)');
  lines.push(resultLine(r));
  return `${lines.join('\n')}\n`;
}
