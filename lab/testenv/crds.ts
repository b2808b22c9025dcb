// CustomResourceDefinitions the sim needs that no testenv binary installs, taken from the Go module that
// defines them: `go mod download` puts the module in the module cache, and its CRD files are copied into
// <testenv>/crds/<group>/ once per TESTENV hash. Nothing of them is ever committed to this repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { LabError } from '../errors.ts';
import { TESTENV } from '../versions.ts';
import { modDownload } from './go.ts';
import { withLock } from './lock.ts';
import { testenvRoot } from './paths.ts';

export interface CrdSource {
  /** API group every CRD in `dir` belongs to; also the folder name under <testenv>/crds/. */
  group: string;
  module: string;
  version: string;
  /** Folder inside the module holding the CRD files. */
  dir: string;
  /** Only these files of `dir` (default: every YAML file); a file may hold several CRDs. */
  files?: string[];
}

/** Argo CD's module, for its Application and AppProject CRDs only (nothing of it is built: its
 * controllers do not build from the Go proxy here, docs/argo-cd-facts.md). The version is the chart's
 * appVersion (CHARTS['argo-cd']). Kept out of TESTENV: the CRDs are copied per group on first use,
 * so adding them needs no rebuild of the control plane. */
export const ARGO_CD_MODULE = { module: 'github.com/argoproj/argo-cd/v3', version: 'v3.4.4' } as const;

export const CRD_SOURCES: CrdSource[] = [
  {
    // Prometheus, PodMonitor, ServiceMonitor, PrometheusRule, … as kube-prometheus-stack installs them.
    group: 'monitoring.coreos.com',
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: TESTENV.prometheusOperator,
    dir: 'example/prometheus-operator-crd',
  },
  {
    // Canary, MetricTemplate, AlertProvider: three CRDs in one file (the chart's crds/crd.yaml is the same file).
    group: 'flagger.app',
    module: 'github.com/fluxcd/flagger',
    version: TESTENV.flagger,
    dir: 'artifacts/flagger',
    files: ['crd.yaml'],
  },
  {
    // Application and AppProject (not ApplicationSet: the lab makes none), as the argo-cd chart installs them.
    group: 'argoproj.io',
    module: ARGO_CD_MODULE.module,
    version: ARGO_CD_MODULE.version,
    dir: 'manifests/crds',
    files: ['application-crd.yaml', 'appproject-crd.yaml'],
  },
];

export interface CrdFolder {
  dir: string;
  /** The YAML files in `dir` (one or more CRDs each; read them with `testenvCrds`). */
  files: string[];
  cached: boolean;
}

/** `<testenv>/crds/<group>`; it may not exist yet: see `ensureTestenvCrds`. */
export function testenvCrdDir(group: string): string {
  return join(testenvRoot(), 'crds', group);
}

function sourceOf(group: string): CrdSource {
  const s = CRD_SOURCES.find((c) => c.group === group);
  if (!s) throw new LabError(`the testenv has no CRDs for API group ${group} (it has: ${CRD_SOURCES.map((c) => c.group).join(', ')})`);
  return s;
}

/** The documents of a YAML stream. Flagger's crd.yaml continues single-quoted descriptions at the key's own
 * indentation, which Go's YAML (and so kubectl) and js-yaml accept but `yaml` rejects: such a text is read
 * with js-yaml (plain loadAll: client-node's loadAllYaml would turn it into its typed models, renaming
 * x-kubernetes-* keys); one that neither reads is reported with `yaml`'s message. */
function yamlDocuments(text: string, what: string): unknown[] {
  const docs = parseAllDocuments(text);
  const bad = docs.findIndex((d) => d.errors.length);
  if (bad < 0) return docs.map((d) => d.toJS());
  try {
    return jsYaml.loadAll(text);
  } catch {
    throw new LabError(`${what}: document ${bad + 1} is not valid YAML: ${docs[bad].errors[0].message}`);
  }
}

/** Every CRD in one file's text; throws when a document is not a CRD of `group`. */
export function crdsInText(text: string, group: string, what: string): KubernetesObject[] {
  return yamlDocuments(text, what).flatMap((d, i) => {
    const o = d as (KubernetesObject & { spec?: { group?: string } }) | null | undefined;
    if (o === null || o === undefined) return [];
    if (o.kind !== 'CustomResourceDefinition' || o.spec?.group !== group) {
      throw new LabError(`${what}: document ${i + 1} is a ${o.kind ?? 'document without kind'} of group ${o.spec?.group ?? 'none'}, not a CustomResourceDefinition of ${group}`);
    }
    return [o];
  });
}

const yamlFiles = (names: string[]) => names.filter((n) => /\.ya?ml$/.test(n)).sort();

/** Copies the module's CRD files (each checked to hold only CRDs of the group) into the testenv. */
async function copyOut(src: CrdSource): Promise<void> {
  const root = testenvRoot();
  await mkdir(join(root, 'crds'), { recursive: true });
  const info = await modDownload(src.module, src.version, root);
  const from = join(info.Dir, src.dir);
  const all = existsSync(from) ? yamlFiles(await readdir(from)) : [];
  const files = src.files ? all.filter((f) => src.files!.includes(f)) : all;
  if (!files.length || files.length < (src.files?.length ?? 0)) throw new LabError(`${src.module}@${src.version} has no CRD files in ${src.dir}${src.files ? ` (wanted ${src.files.join(', ')})` : ''}`);
  const tmp = await mkdtemp(join(root, 'crds', `.tmp-${src.group}-`));
  try {
    for (const f of files) {
      const text = await readFile(join(from, f), 'utf8');
      crdsInText(text, src.group, `${src.module}@${src.version} ${src.dir}/${f}`);
      await writeFile(join(tmp, f), text); // writable copies (the module cache's files are read-only)
    }
    await chmod(tmp, 0o755); // mkdtemp makes it 0700
    await rename(tmp, testenvCrdDir(src.group));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Copy each group's CRDs out of its module unless this testenv already has them. */
export async function ensureTestenvCrds(opts: { force?: boolean } = {}): Promise<Record<string, CrdFolder>> {
  const out: Record<string, CrdFolder> = {};
  const filesIn = (g: string) => (existsSync(testenvCrdDir(g)) ? yamlFiles(readdirSync(testenvCrdDir(g))) : []);
  const present = (g: string) => filesIn(g).length > 0;
  for (const src of CRD_SOURCES) {
    const dir = testenvCrdDir(src.group);
    if (!opts.force && present(src.group)) {
      out[src.group] = { dir, files: filesIn(src.group), cached: true };
      continue;
    }
    await withLock(join(testenvRoot(), '.crds.lock'), async () => {
      if (!opts.force && present(src.group)) return; // another process copied them while we waited
      if (opts.force) await rm(dir, { recursive: true, force: true });
      await copyOut(src);
    });
    out[src.group] = { dir, files: filesIn(src.group), cached: false };
  }
  return out;
}

/**
 * The CRDs of `group` from this testenv, parsed, in file-name order — what the sim applies
 * (server-side: prometheuses is ≈ 830 KB) when no chart archive with its own CRDs is cached.
 */
export function testenvCrds(group: string): KubernetesObject[] {
  const src = sourceOf(group);
  const dir = testenvCrdDir(group);
  const files = existsSync(dir) ? yamlFiles(readdirSync(dir)) : [];
  if (!files.length) {
    throw new LabError(`the ${group} CRDs are not in the test environment (${dir})`, {
      detail: `they come from ${src.module}@${src.version}; fetch them with: npx tsx scripts/testenv.ts build (or make testenv)`,
    });
  }
  return files.flatMap((f) => crdsInText(readFileSync(join(dir, f), 'utf8'), group, join(dir, f)));
}
