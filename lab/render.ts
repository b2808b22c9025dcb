// `lab render --out DIR`: every manifest the lab would apply — one multi-document file per manifests/
// folder (`sock-shop.yaml` is manifests/sock-shop with your settings applied; the exercises' phases
// under `exercises/`) — plus the provider's generated cluster config, and `helm-releases.yaml`: the
// chart releases in helmfile's shape (repositories, releases with pinned versions and our values
// inline). Nothing is applied.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabContext } from './context.ts';
import { EXERCISES } from './exercises/index.ts';
import { PIPELINE } from './pipeline.ts';
import { enabledReleaseKeys, helmfileDoc } from './charts/helmfile.ts';
import { helmRelease } from './steps/chart.ts';
import { toYaml, toYamlDocs } from './yaml.ts';

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
    for (const [folder, objs] of Object.entries(step.render(ctx))) write(`${folder}.yaml`, toYamlDocs(objs));
  }
  const releases = enabledReleaseKeys(ctx.cfg).map(helmRelease);
  if (releases.length) write('helm-releases.yaml', `# The Helm releases \`lab up\` installs for these settings, in helmfile's shape.\n${toYaml(helmfileDoc(releases))}`);
  for (const e of EXERCISES) {
    for (const [phase, objs] of Object.entries(e.manifests())) write(`exercises/${e.name}/${phase}.yaml`, toYamlDocs(objs));
  }
  return written;
}
