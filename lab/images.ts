// Which images the lab makes the cluster pull, read off what it applies (so the list cannot drift
// from the manifests) and, for the Helm releases, off the chart contract (what each pinned chart
// renders with our values, fixtures/charts/contract.json).
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { LabContext } from './context.ts';
import { imagesOf } from './image-facts.ts';
import { loadContract, releaseFact } from './charts/contract.ts';
import { enabledReleaseKeys } from './charts/helmfile.ts';
import { RELEASES } from './observability/endpoints.ts';
import { PIPELINE } from './pipeline.ts';
import { wipeJob } from './purge.ts';

/** Every image `up` (and `down --purge`) would have the cluster pull, with these settings. */
export function labImages(ctx: LabContext): string[] {
  const objs: KubernetesObject[] = [wipeJob()];
  for (const step of PIPELINE) if (step.render && step.enabled(ctx.cfg)) objs.push(...Object.values(step.render(ctx)).flat());
  for (const f of ctx.provider.plan().files) {
    const doc = parse(f.content) as KubernetesObject | null;
    if (doc?.kind) objs.push(doc);
  }
  const charts = enabledReleaseKeys(ctx.cfg).flatMap((k) => chartImages(RELEASES[k].release));
  return [...new Set([...objs.flatMap(imagesOf), ...charts])].sort();
}

let contract: ReturnType<typeof loadContract> | undefined;
/** The images a release pulls (its chart's and those prometheus-operator adds), from the contract. */
export function chartImages(release: string): string[] {
  contract ??= loadContract();
  return releaseFact(contract, release).images;
}
