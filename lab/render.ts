// `lab render --out DIR`: every manifest the lab would apply, one multi-document file per component,
// plus the provider's generated cluster config. Nothing is applied.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabContext } from './context.ts';
import { PIPELINE } from './pipeline.ts';
import { toYamlDocs } from './yaml.ts';

export function renderAll(ctx: LabContext, outDir: string): string[] {
  const written: string[] = [];
  const write = (rel: string, content: string) => {
    const file = path.join(outDir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    written.push(file);
  };
  for (const f of ctx.provider.plan().files) write(path.join('cluster', path.basename(f.path)), f.content);
  for (const step of PIPELINE) {
    if (!step.render || !step.enabled(ctx.cfg)) continue;
    for (const [component, objs] of Object.entries(step.render(ctx))) write(`${component}.yaml`, toYamlDocs(objs));
  }
  return written;
}
