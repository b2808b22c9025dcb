// One loadConfig(): defaults ← .env (dotenv) ← environment ← flags, then validate() that
// returns every problem at once. Nothing here touches the cluster or the disk beyond reading .env.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { UsageError } from './errors.ts';
import {
  KEYS,
  NODE_GROUPS,
  PROFILES,
  PROVIDERS,
  GITOPS_MODES,
  STORAGE_KINDS,
  type NodeGroup,
  type ProfileName,
  type ProviderName,
  type GitopsMode,
  type StorageKind,
} from './config-keys.ts';
import { readActiveLab } from './active-lab.ts';
import { suggest } from './suggest.ts';
import { PF_PORTS_KEY, parsePfPorts, type PfTargetName } from './pf-ports.ts';
import { CAPABILITIES } from './providers/capabilities.ts';

export { activeLabFile } from './active-lab.ts';
export { suggest } from './suggest.ts';

export interface LabConfig {
  provider: ProviderName;
  clusterName: string;
  profile: ProfileName;
  k8sVersion: string;
  workers: number;
  /** Group of each worker, in order (worker 1 first). */
  workerGroups: NodeGroup[];
  httpPort: number;
  httpsPort: number;
  dataDir: string;
  kubeconfig: string;
  context?: string;
  storage: StorageKind;
  cpus: number;
  memoryMiB: number;
  /** Sample image overrides; undefined = the pinned defaults. */
  frontEndV2Image?: string;
  engAppImage?: string;
  /** Local ports of `lab pf` moved by LAB_PF_PORTS; a target not named keeps its default (lab/pf-ports.ts). */
  pfPorts: Partial<Record<PfTargetName, number>>;
  /** LAB_GITOPS: 'argocd' = Argo CD syncs the samples from the lab's git server (lab/gitops/). */
  gitops: GitopsMode;
  /** Project directory; `.lab/` state lives under it. */
  root: string;
  stateDir: string;
}

export interface LoadOptions {
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by flag name (e.g. { workers: 5 }); undefined entries are ignored. */
  flags?: Record<string, unknown>;
  /** Path of the dotenv file; default <root>/.env. */
  envFile?: string;
  /** Let the active-lab record (.lab/active.json) default provider and name. Off for `up`, `plan`
   * and `doctor`: what to create comes from .env, the environment and flags only. Default true. */
  useActiveLab?: boolean;
}

/** Where each raw value came from, for messages ("LAB_WORKERS=3 (from .env)"). */
type Source = 'default' | '.env' | 'environment' | 'flag' | '.lab/active.json';
interface Raw {
  value: string;
  source: Source;
}

export function loadConfig(opts: LoadOptions = {}): LabConfig {
  const root = path.resolve(opts.root ?? process.cwd());
  const env = opts.env ?? process.env;
  const envFile = opts.envFile ?? path.join(root, '.env');
  const problems: string[] = [];
  const fileVals = readEnvFile(envFile, problems);
  const active = opts.useActiveLab === false ? {} : readActiveLab(root);
  const raw = new Map<string, Raw>();
  for (const spec of KEYS) {
    const flagVal = opts.flags?.[spec.flag] ?? opts.flags?.[camel(spec.flag)];
    if (flagVal !== undefined && flagVal !== '') raw.set(spec.key, { value: String(flagVal), source: 'flag' });
    else if (env[spec.key] !== undefined && env[spec.key] !== '') raw.set(spec.key, { value: env[spec.key]!, source: 'environment' });
    else if (fileVals[spec.key] !== undefined && fileVals[spec.key] !== '') raw.set(spec.key, { value: fileVals[spec.key], source: '.env' });
    else if (active[spec.key] !== undefined) raw.set(spec.key, { value: active[spec.key], source: '.lab/active.json' });
    else if (spec.def !== undefined) raw.set(spec.key, { value: spec.def, source: 'default' });
  }
  const cfg = validate(raw, { root, env, problems });
  if (problems.length > 0) {
    throw new UsageError(problems, `Fix the settings above in ${path.relative(process.cwd(), envFile) || '.env'}, the environment or the flags; see .env.example.`);
  }
  return cfg as LabConfig;
}

function readEnvFile(file: string, problems: string[]): Record<string, string> {
  if (!existsSync(file)) return {};
  const vals = parseDotenv(readFileSync(file));
  const known = new Set(KEYS.map((k) => k.key));
  for (const key of Object.keys(vals)) {
    if (key.startsWith('LAB_') && !known.has(key)) {
      const near = suggest(key, [...known]);
      problems.push(`${key} (in ${path.basename(file)}) is not a setting the lab knows${near ? `; did you mean ${near}?` : ''} — see .env.example`);
    }
  }
  return vals;
}

interface Ctx {
  root: string;
  env: NodeJS.ProcessEnv;
  problems: string[];
}

/** Parse and check every value; push one message per problem naming key, value, source and fix. */
export function validate(raw: Map<string, Raw>, ctx: Ctx): Partial<LabConfig> {
  const { problems } = ctx;
  const show = (key: string) => {
    const r = raw.get(key);
    return r ? `${key}=${JSON.stringify(r.value)}${r.source === 'default' ? '' : ` (from ${r.source})`}` : key;
  };
  const get = (key: string) => raw.get(key)?.value;
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = get(key);
    if (v !== undefined && (allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`${show(key)} is not valid; use one of: ${allowed.join(', ')}`);
    return undefined;
  };
  const int = (key: string, min: number, max: number, what: string): number | undefined => {
    const v = get(key) ?? '';
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(`${show(key)} must be ${what} (a whole number from ${min} to ${max})`);
    return undefined;
  };

  const provider = oneOf('LAB_PROVIDER', PROVIDERS);
  const profile = oneOf('LAB_PROFILE', PROFILES);
  const storage = oneOf('LAB_STORAGE', STORAGE_KINDS);

  const clusterName = get('LAB_CLUSTER_NAME') ?? '';
  if (!/^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/.test(clusterName)) {
    problems.push(`${show('LAB_CLUSTER_NAME')} is not a valid cluster name; use 1-32 lowercase letters, digits and dashes, starting with a letter (e.g. lab)`);
  }

  const workers = int('LAB_WORKERS', NODE_GROUPS.length, 8, `at least one worker per node group (${NODE_GROUPS.join(', ')})`);
  const httpPort = int('LAB_HTTP_PORT', 1, 65535, 'a TCP port');
  const httpsPort = int('LAB_HTTPS_PORT', 1, 65535, 'a TCP port');
  if (httpPort !== undefined && httpPort === httpsPort) {
    problems.push(`${show('LAB_HTTPS_PORT')} is the same as LAB_HTTP_PORT; give HTTP and HTTPS different ports (e.g. 8080 and 8443)`);
  }

  const cpus = int('LAB_CPUS', 2, 256, 'the CPUs for minikube');
  const memoryMiB = parseMemory(get('LAB_MEMORY') ?? '');
  if (memoryMiB === undefined || memoryMiB < 2048) {
    problems.push(`${show('LAB_MEMORY')} must be a memory size of at least 2g, written like 12g, 12288m or 12288 (MiB)`);
  }

  const k8sVersion = checkK8sVersion(get('LAB_K8S_VERSION'), provider, show, problems);

  const dataDir = resolvePath(get('LAB_DATA_DIR') ?? '', ctx.root);
  if (!dataDir || dataDir === path.parse(dataDir).root) {
    problems.push(`${show('LAB_DATA_DIR')} must be a directory the lab may own (not the filesystem root), e.g. ./.lab/data`);
  } else if (dataDir.includes(':') || dataDir.includes(',')) {
    problems.push(`${show('LAB_DATA_DIR')} contains ':' or ',' which the node mount syntax cannot carry; choose a path without them`);
  }

  const context = get('LAB_CONTEXT');
  const kubeconfig = checkKubeconfig(get('LAB_KUBECONFIG'), provider, ctx, show, problems);
  if (provider && CAPABILITIES[provider].namedContext && !context) {
    problems.push('LAB_CONTEXT is required with LAB_PROVIDER=existing: name the kube context the lab may use (kubectl config get-contexts), e.g. LAB_CONTEXT=my-cluster');
  }
  if (provider && !CAPABILITIES[provider].namedContext && context) {
    problems.push(`${show('LAB_CONTEXT')} is only used with LAB_PROVIDER=existing; remove it, or set LAB_PROVIDER=existing`);
  }

  const image = (key: string) => {
    const v = get(key);
    if (v !== undefined && !/^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(@sha256:[0-9a-f]{64})?$/.test(v)) {
      problems.push(`${show(key)} is not an image reference; write it like docker.io/org/name:tag`);
    }
    return v || undefined;
  };
  const frontEndV2Image = image('LAB_FRONTEND_V2_IMAGE');
  const engAppImage = image('LAB_ENG_APP_IMAGE');
  const gitops = oneOf('LAB_GITOPS', GITOPS_MODES);
  if (gitops === 'argocd') checkGitops(provider, frontEndV2Image, engAppImage, show, problems);
  const pfPorts = parsePfPorts(get(PF_PORTS_KEY), { httpPort, httpsPort }, show(PF_PORTS_KEY), problems);

  return {
    provider,
    clusterName,
    frontEndV2Image,
    engAppImage,
    pfPorts,
    gitops,
    profile,
    k8sVersion,
    workers,
    workerGroups: workers ? groupsFor(workers) : [],
    httpPort,
    httpsPort,
    dataDir,
    kubeconfig,
    context: context || undefined,
    storage,
    cpus,
    memoryMiB,
    root: ctx.root,
    stateDir: path.join(ctx.root, '.lab'),
  };
}

/** GitOps mode needs the repository on the nodes (/opt/nfs) and runs what is committed. */
function checkGitops(provider: ProviderName | undefined, frontEndV2Image: string | undefined, engAppImage: string | undefined, show: (k: string) => string, problems: string[]): void {
  if (provider && CAPABILITIES[provider].dataPlane && !CAPABILITIES[provider].dataDirOnNodes) {
    problems.push(`${show('LAB_GITOPS')} needs LAB_DATA_DIR on every node (the git server serves it from /opt/nfs), which LAB_PROVIDER=${provider} does not give; use LAB_PROVIDER=kind or minikube, or LAB_GITOPS=off`);
  }
  for (const [key, v] of [['LAB_FRONTEND_V2_IMAGE', frontEndV2Image], ['LAB_ENG_APP_IMAGE', engAppImage]] as const) {
    if (v) problems.push(`${show(key)} cannot be used with LAB_GITOPS=argocd: Argo CD runs what is committed; set the image in manifests/ (the kustomization's images:) and run \`npm run lab -- gitops commit -m MSG\`, or unset ${key}`);
  }
}

export function groupsFor(workers: number): NodeGroup[] {
  return Array.from({ length: workers }, (_, i) => NODE_GROUPS[i] ?? 'app');
}

export function parseMemory(v: string): number | undefined {
  const m = /^(\d+)\s*(g|gb|gi|gib|m|mb|mi|mib)?$/i.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] && m[2].toLowerCase().startsWith('g') ? n * 1024 : n;
}

function checkK8sVersion(v: string | undefined, provider: ProviderName | undefined, show: (k: string) => string, problems: string[]): string {
  if (!provider) return v ?? '';
  if (v === undefined) return CAPABILITIES[provider].defaultK8sVersion();
  const norm = v.startsWith('v') ? v : `v${v}`;
  if (!/^v\d+\.\d+\.\d+$/.test(norm)) {
    problems.push(`${show('LAB_K8S_VERSION')} is not a Kubernetes version; write it like v1.34.0`);
    return norm;
  }
  const supported = CAPABILITIES[provider].k8sVersions();
  if (supported && !supported.includes(norm)) {
    problems.push(`${show('LAB_K8S_VERSION')} has no pinned node image for ${provider}; use one of: ${supported.join(', ')} (or leave it unset)`);
  }
  return norm;
}

function checkKubeconfig(
  v: string | undefined,
  provider: ProviderName | undefined,
  ctx: Ctx,
  show: (k: string) => string,
  problems: string[],
): string {
  const userDefault = path.join(homedir(), '.kube', 'config');
  if (provider && CAPABILITIES[provider].namedContext) {
    return resolvePath(v ?? ctx.env.KUBECONFIG?.split(path.delimiter)[0] ?? userDefault, ctx.root);
  }
  const file = resolvePath(v ?? './.lab/kubeconfig', ctx.root);
  if (file === userDefault || (ctx.env.KUBECONFIG && file === path.resolve(ctx.env.KUBECONFIG))) {
    problems.push(`${show('LAB_KUBECONFIG')} is your own kubeconfig; the lab writes its own file so it never changes your contexts — unset it (default ./.lab/kubeconfig)`);
  }
  return file;
}

function resolvePath(p: string, root: string): string {
  if (!p) return '';
  const expanded = p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : p;
  return path.resolve(root, expanded);
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
