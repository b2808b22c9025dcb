// `lab up`: the pipeline as a reconcile, then a summary of where things are and what to run next.
import type { LabContext } from './context.ts';
import { planLines, runPipeline, type StepOutcome } from './pipeline.ts';
import { uiLines } from './ui-targets.ts';

export async function runUp(ctx: LabContext, out: NodeJS.WritableStream = process.stdout): Promise<StepOutcome[]> {
  if (ctx.flags.dryRun) {
    out.write(`${planLines(ctx).join('\n')}\n`);
    return [];
  }
  const outcomes = await runPipeline(ctx);
  const changed = outcomes.filter((o) => o.result === 'applied').map((o) => o.step);
  const url = await ctx.provider.ingressUrl().catch((e: Error) => `(unknown: ${e.message})`);
  out.write(
    [
      '',
      `Lab ${ctx.cfg.clusterName} is up (${ctx.cfg.provider}, profile ${ctx.cfg.profile}). ${changed.length ? `Changed: ${changed.join(', ')}.` : 'Nothing to change.'}`,
      `  ingress:    ${url}`,
      `  kubeconfig: ${ctx.cfg.kubeconfig} (context ${ctx.provider.contextName()})`,
      `  data:       ${ctx.cfg.dataDir}`,
      // Passwords only when stdout is a terminal, never into a redirected log.
      ...uiLines(ctx.cfg, { showSecrets: Boolean((out as NodeJS.WriteStream).isTTY), skippedSteps: outcomes.filter((o) => o.result === 'skipped').map((o) => o.step) }),
      'Next:',
      `  kubectl --kubeconfig ${ctx.cfg.kubeconfig} get nodes -L node.kubernetes.io/nodegroup`,
      '  make lab-status',
      '  make lab-down          (keeps your data; npm run lab -- down --purge deletes it)',
      '',
    ].join('\n'),
  );
  return outcomes;
}
