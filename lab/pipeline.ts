// What `lab up` does, in order. Reading this list tells you the whole bring-up.
import { LabError, wrap } from './errors.ts';
import type { LabContext } from './context.ts';
import { clusterStep } from './steps/cluster.ts';
import { nodeGroupsStep } from './steps/node-groups.ts';
import { istioStep } from './steps/istio.ts';
import { meshMonitorsStep } from './steps/mesh-monitors.ts';
import { observabilityStep } from './steps/observability.ts';
import { alloyStep, jaegerStep, kialiStep, lokiStep, prometheusStackStep } from './steps/observability-releases.ts';
import { flaggerLoadtesterStep, flaggerStep } from './steps/flagger-releases.ts';
import { gitopsStep } from './steps/gitops.ts';
import { argocdStep } from './steps/gitops-releases.ts';
import { preflightStep } from './steps/preflight.ts';
import { samplesStep } from './steps/samples.ts';
import { storageStep } from './steps/storage.ts';
import type { Step } from './steps/types.ts';

export const PIPELINE: Step[] = [
  preflightStep, clusterStep, nodeGroupsStep, storageStep, istioStep,
  // GitOps mode (LAB_GITOPS=argocd, seed 002): Argo CD, then its git server and app-of-apps root;
  // the samples step then waits for Argo CD to roll the samples out instead of applying them.
  argocdStep, gitopsStep,
  samplesStep,
  // The observability stack (which releases: LAB_PROFILE, lab/observability/profiles.ts).
  observabilityStep, prometheusStackStep, meshMonitorsStep, jaegerStep, lokiStep, alloyStep, kialiStep,
  // Progressive delivery (seed 001): Flagger reads Istio's metrics in that Prometheus.
  flaggerStep, flaggerLoadtesterStep,
];

export type StepOutcome = { step: string; result: 'applied' | 'unchanged' | 'skipped' | 'disabled'; detail?: string };

/** Steps in dependency order; refuses a list whose `needs` point forward or nowhere. */
export function ordered(steps: Step[] = PIPELINE): Step[] {
  const seen = new Set<string>();
  for (const s of steps) {
    for (const n of s.needs) {
      if (!steps.some((x) => x.name === n)) throw new LabError(`step ${s.name} needs unknown step ${n}`);
      if (!seen.has(n)) throw new LabError(`step ${s.name} needs ${n}, which comes after it`);
    }
    seen.add(s.name);
  }
  return steps;
}

/** Skipped because the provider has no data plane and the step needs one. */
export function skippedHere(ctx: LabContext, step: Step): string | undefined {
  if (!ctx.provider.capabilities.dataPlane && step.needsDataPlane) return `skipped (${ctx.provider.name}): needs ${step.needsDataPlane}`;
  return step.skipReason?.(ctx);
}

/** Reconcile every enabled step: check, then apply only what is not done. */
export async function runPipeline(ctx: LabContext, steps: Step[] = PIPELINE): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  for (const step of ordered(steps)) {
    if (!step.enabled(ctx.cfg)) {
      out.push({ step: step.name, result: 'disabled' });
      continue;
    }
    const skipped = skippedHere(ctx, step);
    if (skipped) {
      ctx.status.skip(`${step.title}: ${skipped}`);
      out.push({ step: step.name, result: 'skipped', detail: skipped });
      continue;
    }
    ctx.status.start(step.title);
    try {
      const before = await step.check(ctx);
      if (before.done) {
        ctx.status.ok(`${step.title} (unchanged)`);
        out.push({ step: step.name, result: 'unchanged' });
        continue;
      }
      if (before.detail) ctx.log.debug(`${step.name}: ${before.detail}`);
      await step.apply(ctx);
      ctx.status.ok(step.title);
      out.push({ step: step.name, result: 'applied', detail: before.detail });
    } catch (err) {
      ctx.status.fail(step.title);
      throw wrap(`step ${step.name}`, err);
    }
  }
  return out;
}

/** `lab plan`: every step and what it would do, without touching anything. */
export function planLines(ctx: LabContext, steps: Step[] = PIPELINE): string[] {
  const lines: string[] = [];
  ordered(steps).forEach((step, i) => {
    const head = `${i + 1}. ${step.name} — ${step.title}`;
    if (!step.enabled(ctx.cfg)) lines.push(`${head} [${step.disabledReason?.(ctx.cfg) ?? 'disabled for this config'}]`);
    else if (skippedHere(ctx, step)) lines.push(`${head} [${skippedHere(ctx, step)}]`);
    else lines.push(head, ...step.plan(ctx).map((l) => `   ${l}`));
  });
  return lines;
}
