// manifests/ is the source of truth for what the lab applies: plain YAML in kustomize folders, so
// `kubectl apply -k manifests/<folder>` by hand gives what `lab up` applies with default settings.
// This loads a folder the way `kubectl kustomize` builds it, for the few kustomization fields the
// lab uses (anything else is refused, so the two cannot drift apart — a test compares them):
//   resources (files, or folders with a kustomization of their own, in order), labels (pairs on
//   metadata.labels only), sortOptions fifo, secretGenerator (envs, a namespace,
//   disableNameSuffixHash, labels), and patches that only delete an object (`$patch: delete`).
// Settings are applied afterwards by small typed transforms next to each sample (lab/samples).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { LabError } from './errors.ts';
import { PROJECT_ROOT } from './project-root.ts';

export const MANIFESTS_DIR = path.join(PROJECT_ROOT, 'manifests');

interface SecretGenerator {
  name: string;
  namespace?: string;
  envs?: string[];
  options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string> };
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }>;
  sortOptions?: { order: string };
  secretGenerator?: SecretGenerator[];
  patches?: Array<{ patch?: string; path?: string; target?: unknown }>;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'labels', 'sortOptions', 'secretGenerator', 'patches']);

/** The objects a kustomization's `patches` delete: only inline `$patch: delete` patches are understood. */
function deletions(folder: string, k: Kustomization): Array<{ kind: string; name: string; namespace?: string }> {
  return (k.patches ?? []).map((p, i) => {
    const doc = p.patch !== undefined && !p.path && !p.target ? (parseAllDocuments(p.patch).map((d) => d.toJS())[0] as KubernetesObject & { $patch?: string }) : undefined;
    if (!doc || doc.$patch !== 'delete' || !doc.kind || !doc.metadata?.name) {
      throw new LabError(`manifests/${folder}/kustomization.yaml: patch ${i + 1} is not an inline \`$patch: delete\` of one named object, the only patch the lab's loader implements (lab/manifests.ts)`);
    }
    return { kind: doc.kind, name: doc.metadata.name, namespace: doc.metadata.namespace };
  });
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Every YAML document of a file under manifests/ (or `root`), as plain data. */
function readDocs(rel: string, root = MANIFESTS_DIR): unknown[] {
  const file = path.join(root, rel);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LabError(`cannot read ${path.relative(process.cwd(), file)}`, { cause: err });
  }
  return parseAllDocuments(text).map((d, i) => {
    if (d.errors.length) throw new LabError(`${rel}: document ${i + 1} is not valid YAML: ${d.errors[0].message}`);
    return d.toJS() as unknown;
  });
}

/** Every Kubernetes object of a file under manifests/, in order. */
export function loadFile(rel: string, root = MANIFESTS_DIR): KubernetesObject[] {
  return readDocs(rel, root).map((doc, i) => {
    const o = doc as KubernetesObject | null;
    if (!o?.apiVersion || !o.kind || !o.metadata?.name) throw new LabError(`${rel}: document ${i + 1} has no apiVersion, kind or metadata.name`);
    return o;
  });
}

/**
 * kustomize's env-file rule for secretGenerator `envs`: KEY=VALUE per line, split at the first `=`,
 * blank lines and lines starting with `#` skipped, nothing unquoted or trimmed inside the value.
 */
export function parseKustomizeEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) throw new LabError(`env line without '=': ${line}`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

export interface LoadOptions {
  /** Values for a generated Secret instead of its env files (e.g. eng-app.env for eng-app-secret). */
  secretValues?: Record<string, Record<string, string>>;
  /** Another manifests directory (tests). */
  root?: string;
}

/** The objects of manifests/<folder>, as `kubectl kustomize manifests/<folder>` builds them. */
export function loadManifests(folder: string, opts: LoadOptions = {}): KubernetesObject[] {
  const root = opts.root ?? MANIFESTS_DIR;
  const k = (readDocs(path.join(folder, 'kustomization.yaml'), root)[0] ?? {}) as Kustomization;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new LabError(`manifests/${folder}/kustomization.yaml uses ${unsupported.join(', ')}, which the lab's loader does not implement (lab/manifests.ts)`);
  if (k.sortOptions?.order !== 'fifo') throw new LabError(`manifests/${folder}/kustomization.yaml must set sortOptions.order: fifo (the lab applies objects in the listed order)`);
  if ((k.labels ?? []).some((l) => l.includeSelectors || l.includeTemplates)) throw new LabError(`manifests/${folder}: labels with includeSelectors/includeTemplates are not supported`);
  const objs = (k.resources ?? []).flatMap((r) => (isDir(path.join(root, folder, r)) ? loadManifests(path.join(folder, r), opts) : loadFile(path.join(folder, r), root)));
  for (const g of k.secretGenerator ?? []) objs.push(generatedSecret(path.join(root, folder), g, opts.secretValues?.[g.name]));
  for (const d of deletions(folder, k)) {
    const at = objs.findIndex((o) => o.kind === d.kind && o.metadata?.name === d.name && (d.namespace === undefined || o.metadata?.namespace === d.namespace));
    if (at < 0) throw new LabError(`manifests/${folder}/kustomization.yaml deletes ${d.kind} ${d.name}, which its resources do not have`);
    objs.splice(at, 1);
  }
  const labels = Object.assign({}, ...(k.labels ?? []).map((l) => l.pairs)) as Record<string, string>;
  return objs.map((o) => (Object.keys(labels).length ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, ...labels } } } : o));
}

function generatedSecret(dir: string, g: SecretGenerator, values?: Record<string, string>): V1Secret {
  if (!g.options?.disableNameSuffixHash) throw new LabError(`${dir}: secretGenerator ${g.name} must set options.disableNameSuffixHash (the lab names Secrets exactly)`);
  const vals = values ?? Object.assign({}, ...(g.envs ?? []).map((e) => parseKustomizeEnv(readFileSync(path.join(dir, e), 'utf8'))));
  const data = Object.fromEntries(Object.keys(vals).sort().map((key) => [key, Buffer.from(vals[key], 'utf8').toString('base64')]));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: g.name, ...(g.namespace ? { namespace: g.namespace } : {}), ...(g.options.labels ? { labels: { ...g.options.labels } } : {}) },
    type: 'Opaque',
    data,
  };
}

/** The one object of `kind` (and `name`, if given) in `objs`; throws naming the folder if absent. */
export function pick<T extends KubernetesObject>(objs: KubernetesObject[], kind: string, name?: string): T {
  const found = objs.find((o) => o.kind === kind && (!name || o.metadata?.name === name));
  if (!found) throw new LabError(`no ${kind}${name ? ` ${name}` : ''} in the manifests`);
  return found as T;
}
