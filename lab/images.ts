// Which images the lab makes the cluster pull, read off what it applies (so the list cannot drift
// from the manifests).
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { LabContext } from './context.ts';
import { imagesOf } from './image-facts.ts';
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
  return [...new Set(objs.flatMap(imagesOf))].sort();
}
