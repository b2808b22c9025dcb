// One Helm release, reconciled: `check` asks helm what is installed (chart version, status, the values
// it was given) and the API whether its workloads are ready; `install` applies the chart's CRDs
// server-side, then runs `helm upgrade --install` from the verified local archive with --wait. A
// release at the pinned version with the same values and ready workloads is left alone: nothing written.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Pod, V1Secret } from '@kubernetes/client-node';
import { notReady, waitCrdEstablished } from '../conditions.ts';
import type { LabContext } from '../context.ts';
import { LabError } from '../errors.ts';
import { MANAGED_BY } from '../kube-refs.ts';
import type { ReleaseSpec } from '../observability/endpoints.ts';
import { containerProblems, describeProblem, watchPodProblems } from '../pod-problems.ts';
import { mustRun } from '../run.ts';
import type { ChartPin } from '../versions.ts';
import { toYaml } from '../yaml.ts';
import { ensureArchive } from './archive.ts';
import { crdsInArchive } from './crds.ts';
import { parseChartYaml } from './helm-yaml.ts';
import { canonical, firstDifference, type Values } from './values.ts';

export interface HelmRelease {
  spec: ReleaseSpec;
  pin: ChartPin;
  values: Values;
  /** helm's --timeout; default HELM_TIMEOUT. */
  timeout?: string;
}

export const HELM_TIMEOUT = '10m';
/** On every release the lab installs (helm --labels): `down` on a cluster the lab did not create
 * uninstalls exactly these. */
export const RELEASE_LABEL = `${Object.keys(MANAGED_BY)[0]}=${Object.values(MANAGED_BY)[0]}`;

const helmConn = (ctx: LabContext) => ['--kubeconfig', ctx.cfg.kubeconfig, '--kube-context', ctx.provider.contextName()];
export const valuesPath = (ctx: LabContext, r: HelmRelease) => path.join(ctx.cfg.stateDir, 'helm', `${r.spec.release}.values.yaml`);

export function installArgv(ctx: LabContext, r: HelmRelease, archive: string): string[] {
  return [
    ctx.tool('helm'), 'upgrade', '--install', r.spec.release, archive,
    '--namespace', r.spec.namespace, '--values', valuesPath(ctx, r),
    '--skip-crds', '--wait', '--timeout', r.timeout ?? HELM_TIMEOUT, '--labels', RELEASE_LABEL, ...helmConn(ctx),
  ];
}

/** `helm uninstall` every release the lab installed, in any namespace; others stay. Found through
 * the API first — helm's release Secrets carry the release's labels (`owner=helm`, `name`) — so a
 * cluster with none needs no helm at all. CRDs stay (helm never deletes them; they may be shared).
 * Returns namespace/name of each. */
export async function uninstallLabReleases(ctx: LabContext): Promise<string[]> {
  const secrets = await ctx.kube().list<V1Secret>('v1', 'Secret', { labelSelector: `owner=helm,${RELEASE_LABEL}` });
  const releases = [...new Set(secrets.map((x) => `${x.metadata?.namespace}/${x.metadata?.labels?.name}`))].sort();
  for (const r of releases) {
    const [namespace, name] = r.split('/');
    await mustRun(ctx.run, ctx.tool('helm'), ['uninstall', name, '--namespace', namespace, '--wait', '--timeout', '5m', ...helmConn(ctx)], { timeoutMs: 6 * 60_000 });
  }
  return releases;
}

interface Installed {
  chart: string;
  status: string;
  values: Values;
}

async function helmJson<T>(ctx: LabContext, args: string[]): Promise<T> {
  const res = await mustRun(ctx.run, ctx.tool('helm'), [...args, ...helmConn(ctx)]);
  return JSON.parse(res.stdout || 'null') as T;
}

export async function installed(ctx: LabContext, r: HelmRelease): Promise<Installed | undefined> {
  const list = await helmJson<Array<{ name: string; chart: string; status: string }>>(ctx, ['list', '--namespace', r.spec.namespace, '--all', '--filter', `^${r.spec.release}$`, '--output', 'json']);
  const rel = (list ?? []).find((x) => x.name === r.spec.release);
  if (!rel) return undefined;
  const values = (await helmJson<Values | null>(ctx, ['get', 'values', r.spec.release, '--namespace', r.spec.namespace, '--output', 'json'])) ?? {};
  return { chart: rel.chart, status: rel.status, values };
}

/** The release's rendered objects as helm recorded them (what its readiness is judged on). */
export async function manifestObjects(ctx: LabContext, r: HelmRelease): Promise<KubernetesObject[]> {
  const res = await mustRun(ctx.run, ctx.tool('helm'), ['get', 'manifest', r.spec.release, '--namespace', r.spec.namespace, ...helmConn(ctx)]);
  return (parseChartYaml(res.stdout, `helm get manifest ${r.spec.release}`).filter((o) => Boolean(o.kind)) as KubernetesObject[])
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? r.spec.namespace } }));
}

/** What stands between the live release and the pinned one ([] = nothing: leave it alone). */
export async function releaseDrift(ctx: LabContext, r: HelmRelease): Promise<string[]> {
  const live = await installed(ctx, r);
  const want = `${r.pin.chart}-${r.pin.version}`;
  if (!live) return [`release ${r.spec.namespace}/${r.spec.release} not installed`];
  if (live.chart !== want) return [`release ${r.spec.release} is ${live.chart}, pinned ${want}`];
  if (live.status !== 'deployed') return [`release ${r.spec.release} is ${live.status}`];
  if (canonical(live.values) !== canonical(r.values)) return [`release ${r.spec.release} values differ at ${firstDifference(live.values, r.values)}`];
  return notReady(ctx.kube(), await manifestObjects(ctx, r));
}

/** Creates the release's namespace when it is not there; one that is (sock-shop, made by the samples
 * step with istio-injection=enabled) is left alone: applying a bare Namespace with the lab's field
 * manager would drop the labels that manager set before. */
async function ensureNamespace(ctx: LabContext, namespace: string): Promise<void> {
  if (await ctx.kube().get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })) return;
  await ctx.kube().apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { ...MANAGED_BY } } }]);
}

async function applyCrds(ctx: LabContext, archive: string): Promise<number> {
  const crds = await crdsInArchive(ctx.run, archive);
  if (!crds.length) return 0;
  await ctx.kube().apply(crds);
  for (const c of crds) await waitCrdEstablished(ctx.kube(), c.metadata!.name!, 60_000);
  return crds.length;
}

/** Why the release's pods are not ready, one line each (for a failed --wait). */
async function podReasons(ctx: LabContext, r: HelmRelease): Promise<string[]> {
  const pods = await ctx.kube().list<V1Pod>('v1', 'Pod', { namespace: r.spec.namespace, labelSelector: `app.kubernetes.io/instance=${r.spec.release}` }).catch(() => []);
  const lines = pods.flatMap((p) => containerProblems(p).map(describeProblem));
  const pending = pods.filter((p) => p.status?.phase === 'Pending' && !containerProblems(p).length)
    .map((p) => `${p.metadata?.name}: Pending${p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False')?.message ? ` (${p.status!.conditions!.find((c) => c.type === 'PodScheduled')!.message})` : ''}`);
  return [...lines, ...pending];
}

export async function installRelease(ctx: LabContext, r: HelmRelease): Promise<void> {
  const archive = await ensureArchive(ctx, r.pin);
  await ensureNamespace(ctx, r.spec.namespace);
  const crds = await applyCrds(ctx, archive);
  if (crds) ctx.log.debug(`${r.spec.release}: ${crds} CRDs applied server-side`);
  mkdirSync(path.dirname(valuesPath(ctx, r)), { recursive: true });
  writeFileSync(valuesPath(ctx, r), toYaml(r.values));
  const stop = new AbortController();
  const what = `release ${r.spec.namespace}/${r.spec.release}`;
  // Problems are reported as they appear; helm's own --wait decides success.
  watchPodProblems(ctx.kube(), { namespace: r.spec.namespace, labelSelector: `app.kubernetes.io/instance=${r.spec.release}`, what, report: (l) => ctx.log.warn(l), signal: stop.signal })
    .catch((err: Error) => ctx.log.warn(err.message));
  try {
    const [cmd, ...args] = installArgv(ctx, r, archive);
    const res = await ctx.run.run(cmd, args, { timeoutMs: 15 * 60_000 });
    if (res.exitCode !== 0) {
      const reasons = await podReasons(ctx, r);
      throw new LabError(`helm could not install ${what} (${r.pin.chart} ${r.pin.version})`, {
        detail: [(res.stderr || res.stdout).trim().split('\n').slice(-8).join('\n'), ...(reasons.length ? ['pods:', ...reasons.map((l) => `  ${l}`)] : [])].join('\n'),
      });
    }
  } finally {
    stop.abort();
  }
}
