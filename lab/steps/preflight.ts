// Step 1 of `up`: the host checks of `lab doctor`. Missing CLIs with a pinned checksum are
// installed into .lab/bin; anything else that fails stops `up` before anything is created.
import path from 'node:path';
import { LabError } from '../errors.ts';
import { installTool } from '../installer.ts';
import { hostProbes, runPreflight, type CheckOutcome, type PreflightNeeds } from '../preflight.ts';
import { CAPABILITIES } from '../providers/capabilities.ts';
import { TOOLS } from '../versions.ts';
import type { LabContext } from '../context.ts';
import type { Step } from './types.ts';

export async function preflightNeeds(ctx: LabContext): Promise<PreflightNeeds> {
  // Imported here: images.ts reads the pipeline, which lists this step.
  const { labImages } = await import('../images.ts');
  return {
    tools: ctx.provider.requiredTools(),
    engine: ctx.provider.needsContainerEngine(),
    hostPorts: ctx.provider.hostPorts(),
    portHolder: (port) => ctx.provider.portHolder(port),
    images: labImages(ctx),
    dataDir: ctx.provider.needsContainerEngine() ? ctx.cfg.dataDir : undefined,
  };
}

export async function checkHost(ctx: LabContext): Promise<CheckOutcome[]> {
  return runPreflight(ctx.cfg, hostProbes(ctx.run, ctx.tool), await preflightNeeds(ctx));
}

export function formatOutcomes(outcomes: CheckOutcome[]): string {
  return outcomes
    .filter((o) => o.status !== 'ok')
    .map((o) => `${o.name}: ${o.message}${o.fix ? `\n    fix: ${o.fix}` : ''}`)
    .join('\n');
}

export async function installMissing(ctx: LabContext, outcomes: CheckOutcome[]): Promise<void> {
  const probes = hostProbes(ctx.run, ctx.tool);
  for (const o of outcomes.filter((x) => x.status === 'fail' && x.installable)) {
    const pin = TOOLS[o.installable as keyof typeof TOOLS];
    ctx.log.info(`installing ${pin.name} ${pin.version} into .lab/bin`);
    await installTool({ pin, binDir: path.join(ctx.cfg.stateDir, 'bin'), os: probes.platform(), arch: probes.arch(), run: ctx.run });
  }
}

export const preflightStep: Step = {
  name: 'preflight',
  title: 'Check the host',
  needs: [],
  enabled: (cfg) => CAPABILITIES[cfg.provider].hostPreflight,
  async check(ctx) {
    const outcomes = await checkHost(ctx);
    const bad = outcomes.filter((o) => o.status === 'fail');
    return { done: bad.length === 0, detail: formatOutcomes(outcomes) };
  },
  async apply(ctx) {
    // Download nothing while something else is wrong: report every problem at once instead.
    const first = (await checkHost(ctx)).filter((o) => o.status === 'fail');
    if (first.every((o) => o.installable)) await installMissing(ctx, first);
    const bad = first.every((o) => o.installable) ? (await checkHost(ctx)).filter((o) => o.status === 'fail') : first;
    if (bad.length > 0) {
      throw new LabError(`the host is not ready for LAB_PROVIDER=${ctx.cfg.provider} (${bad.length} problem${bad.length > 1 ? 's' : ''}); nothing was created`, {
        detail: formatOutcomes(bad),
      });
    }
  },
  plan: (ctx) => [
    `check: ${ctx.provider.needsContainerEngine() ? 'container engine (docker|podman) CPUs/memory, inotify limits, ' : ''}${ctx.provider.requiredTools().join(', ')}`,
    'install a missing CLI at its pinned version into .lab/bin (SHA-256 checked)',
  ],
};
