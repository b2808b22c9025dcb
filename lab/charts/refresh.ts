// `scripts/charts.ts refresh`: regenerate fixtures/charts/contract.json from the pinned charts — each
// one rendered by `helm template` with our values (manifests/observability/values/<release>.yaml),
// then reduced to facts (render-facts.ts, operator-facts.ts) and key paths (chart-keys.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { MANIFESTS_DIR } from '../manifests.ts';
import { RELEASES, type ReleaseSpec } from '../observability/endpoints.ts';
import { mustRun, type Runner } from '../run.ts';
import { CHARTS, type ChartPin } from '../versions.ts';
import { chartDirFor, subchartVersions } from './chart-dirs.ts';
import { chartKeys } from './chart-keys.ts';
import type { ChartContract, KeysFact, ReleaseFact } from './contract-types.ts';
import { parseChartYaml } from './helm-yaml.ts';
import { encodePath } from './key-paths.ts';
import { OPERATOR_SOURCE, operatorObjects } from './operator-facts.ts';
import { crdsOf, grafanaDatasourcesOf, imagesOfWorkloads, servicesOf, workloadsOf, type RenderedObject } from './render-facts.ts';
import { crdSpecSchema, schemaKeys } from './schema-keys.ts';
import { valuesFileRel } from './values.ts';

/** The Kubernetes version charts are rendered for (their Capabilities.KubeVersion). */
export const RENDER_KUBE_VERSION = '1.35.0';

export interface RefreshOptions {
  run: Runner;
  helm: string;
  /** Unpacked charts, DIR/<chart>/; otherwise the archives in cacheDir (sha256-checked). */
  from?: string;
  cacheDir: string;
  /** The Kiali CR definition (kiali-operator crd-docs/crd/kiali.io_kialis.yaml) for Kiali's config
   * keys; without it they are kept from `previous` when the kiali-server version is unchanged. */
  kialiCrd?: string;
  previous?: ChartContract;
  /** Render only these releases; the others are kept from `previous` (which must have them). */
  only?: string[];
  /** Lines for generated.notes (e.g. which subchart stood in for an unreadable one). */
  notes?: string[];
  out: string;
  log?: (line: string) => void;
}

export function templateArgv(release: string, chartDir: string, namespace: string, valuesFile: string): string[] {
  return ['template', release, chartDir, '--namespace', namespace, '--kube-version', RENDER_KUBE_VERSION, '--include-crds', '--values', valuesFile];
}

export function parseRendered(text: string): RenderedObject[] {
  return parseChartYaml(text, "helm template's output").filter((o) => Boolean(o.kind)) as RenderedObject[];
}

function kialiConfigKeys(o: RefreshOptions, pin: ChartPin, release: string): KeysFact['config'] {
  if (o.kialiCrd) {
    const k = schemaKeys(crdSpecSchema(readFileSync(o.kialiCrd, 'utf8')));
    return {
      source: `kiali/kiali-operator@${pin.appVersion} crd-docs/crd/kiali.io_kialis.yaml (the Kiali CR's spec; kiali-server writes its values into Kiali's config file)`,
      known: [...new Set(k.known.map(encodePath))].sort(),
      freeForm: [...new Set(k.freeForm.map(encodePath))].sort(),
    };
  }
  const prev = o.previous?.releases[release];
  if (prev?.version === pin.version && prev.keys.config) return prev.keys.config;
  throw new UsageError(`Kiali's config keys are needed for ${pin.chart} ${pin.version}`, `Give --kiali-crd FILE: kiali/kiali-operator at ${pin.appVersion}, crd-docs/crd/kiali.io_kialis.yaml.`);
}

/** Facts for one release from its rendered manifests and chart directory. */
export function releaseFacts(spec: ReleaseSpec, pin: ChartPin, objs: RenderedObject[], keys: KeysFact, subcharts: string[]): ReleaseFact {
  const op = operatorObjects(objs, spec.namespace);
  const workloads = [...workloadsOf(objs, spec.namespace), ...op.workloads];
  const datasources = grafanaDatasourcesOf(objs);
  return {
    release: spec.release,
    chart: spec.chart,
    version: pin.version,
    appVersion: pin.appVersion,
    namespace: spec.namespace,
    source: pin.source,
    subcharts,
    services: [...servicesOf(objs, spec.namespace), ...op.services],
    workloads,
    crds: crdsOf(objs),
    images: imagesOfWorkloads(workloads),
    keys,
    ...(datasources.length ? { grafanaDatasources: datasources } : {}),
  };
}

export async function refreshContract(o: RefreshOptions): Promise<ChartContract> {
  const log = o.log ?? (() => {});
  const work = mkdtempSync(path.join(os.tmpdir(), 'lab-charts-'));
  try {
    const helmVersion = (await mustRun(o.run, o.helm, ['version', '--short'])).stdout.trim();
    const releases: Record<string, ReleaseFact> = {};
    const only = o.only?.length ? new Set(o.only) : undefined;
    for (const name of only ?? []) if (!Object.values(RELEASES).some((r) => r.release === name)) throw new UsageError(`--only ${name}: no such release`, `Name one of: ${Object.values(RELEASES).map((r) => r.release).join(', ')}.`);
    for (const spec of Object.values(RELEASES)) {
      const pin = CHARTS[spec.chart];
      if (only && !only.has(spec.release)) {
        const kept = o.previous?.releases[spec.release];
        if (!kept) throw new UsageError(`--only: the current contract has no ${spec.release} to keep`, `Render it too: add --only ${spec.release}.`);
        releases[spec.release] = kept;
        continue;
      }
      const dir = await chartDirFor(o.run, pin, { from: o.from, cacheDir: o.cacheDir, work });
      const valuesFile = path.join(MANIFESTS_DIR, valuesFileRel(spec.release));
      const rendered = await mustRun(o.run, o.helm, templateArgv(spec.release, dir, spec.namespace, valuesFile));
      const config = spec.chart === 'kiali-server' ? kialiConfigKeys(o, pin, spec.release) : undefined;
      releases[spec.release] = releaseFacts(spec, pin, parseRendered(rendered.stdout), chartKeys(dir, config), subchartVersions(dir));
      log(`${spec.release}: ${pin.chart} ${pin.version} — ${releases[spec.release].services.length} Services, ${releases[spec.release].workloads.length} workloads, ${releases[spec.release].keys.known.length} keys`);
    }
    const contract: ChartContract = {
      generated: {
        by: `npx tsx scripts/charts.ts refresh${o.from ? ' --from DIR' : ''}`,
        helm: helmVersion,
        kubeVersion: RENDER_KUBE_VERSION,
        from: o.from ? 'unpacked chart directories, or chart archives checked against their CHARTS sha256 (--from)' : `chart archives in ${path.basename(o.cacheDir)}/, each checked against its CHARTS sha256`,
        notes: only ? [...new Set([...(o.previous?.generated.notes ?? []), ...(o.notes ?? [])])] : [`Operator-made StatefulSets and Services (createdBy: operator) follow ${OPERATOR_SOURCE}.`, ...(o.notes ?? [])],
      },
      releases,
    };
    writeFileSync(o.out, `${JSON.stringify(contract, null, 1)}\n`);
    return contract;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
