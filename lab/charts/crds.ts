// The CRDs a chart archive carries in its crds/ folders (its own and its subcharts'). The lab applies
// them itself, server-side, before helm runs with --skip-crds: some (prometheuses ≈ 830 KB) are too
// big for client-side apply's last-applied annotation, and helm never updates a CRD on upgrade.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Runner } from '../run.ts';
import { mustRun } from '../run.ts';
import { parseChartYaml } from './helm-yaml.ts';

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return yamlFilesUnder(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

/** Every `crds/` folder in an unpacked chart tree (helm reads <chart>/crds and charts/<sub>/crds).
 * Not a `crds/` under templates/: those are templates (argo-cd keeps its CRDs there, rendered by
 * helm as release objects under `crds.install`), not plain YAML. */
function crdDirs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (!statSync(p).isDirectory() || name === 'templates') return [];
    return name === 'crds' ? [p] : crdDirs(p);
  });
}

export function crdsInTree(chartDir: string): KubernetesObject[] {
  return crdDirs(chartDir).flatMap(yamlFilesUnder).flatMap((f) =>
    parseChartYaml(readFileSync(f, 'utf8'), f).filter((o) => o.kind === 'CustomResourceDefinition') as KubernetesObject[]);
}

/** The CRDs in a chart archive (unpacked with tar into a temp dir, removed afterwards). */
export async function crdsInArchive(run: Runner, archive: string): Promise<KubernetesObject[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-chart-'));
  try {
    await mustRun(run, 'tar', ['-xzf', archive, '-C', dir]);
    return crdsInTree(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
