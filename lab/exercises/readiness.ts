// "Is what this exercise needs installed?" — the pipeline steps' own `check`, so an exercise never
// runs against a half-installed lab. Anything that prevents the check is a "not ready" answer.
// A step this provider skips visibly (sim: a chart archive not cached) is no obstacle on a
// provider without a data plane: everything an exercise would do with it there is traffic, which
// is skipped too; it is reported as a skipped need, with the step's reason.
import type { LabContext } from '../context.ts';
import { PIPELINE, skippedHere } from '../pipeline.ts';
import type { Step } from '../steps/types.ts';
import type { ReadyResult } from './runner.ts';

export async function checkNeeds(ctx: LabContext, needs: string[], steps: Step[] = PIPELINE): Promise<ReadyResult[]> {
  const out: ReadyResult[] = [];
  for (const name of needs) {
    const step = steps.find((s) => s.name === name);
    if (!step) {
      out.push({ step: name, done: false, detail: `no lab step is called ${name}` });
    } else if (!step.enabled(ctx.cfg)) {
      out.push({ step: name, done: false, detail: step.disabledReason?.(ctx.cfg) ?? `disabled for this configuration (LAB_PROFILE=${ctx.cfg.profile})` });
    } else if (skippedHere(ctx, step)) {
      const why = skippedHere(ctx, step)!;
      if (!ctx.provider.capabilities.dataPlane) out.push({ step: name, done: true, skipped: why });
      else out.push({ step: name, done: false, detail: `not available on ${ctx.provider.name}: ${why}` });
    } else {
      try {
        const r = await step.check(ctx);
        out.push({ step: name, done: r.done, detail: r.done ? undefined : r.detail || 'not installed' });
      } catch (err) {
        out.push({ step: name, done: false, detail: (err as Error).message });
      }
    }
  }
  return out;
}

/** Whether the lab installs `name` in this configuration (its step exists and is enabled), for
 * ExerciseRun.installed: e.g. loki only with LAB_PROFILE=full. */
export function installedStep(ctx: LabContext, name: string, steps: Step[] = PIPELINE): boolean {
  const step = steps.find((s) => s.name === name);
  return step !== undefined && step.enabled(ctx.cfg);
}
