// MeshOps on a real cluster: the lab's Kube client for the API, and kubectl/istioctl through
// ctx.run (argv arrays) with the lab's --kubeconfig and --context — never the user's current context.
import path from 'node:path';
import type { KubernetesObject, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { getSerializationType } from '@kubernetes/client-node/dist/util.js';
import { parseTargetUrl } from '../checks/http-load.ts';
import { isRolledOut } from '../conditions.ts';
import type { LabContext } from '../context.ts';
import { LabError } from '../errors.ts';
import { GITOPS_APP_ORDER } from '../gitops/applications.ts';
import { GitopsPusher } from '../gitops/pusher.ts';
import { gitopsRepo } from '../gitops/repo.ts';
import { ISTIO_NAMESPACE } from '../istio/operator.ts';
import { ENDPOINTS } from '../observability/endpoints.ts';
import { mustRun } from '../run.ts';
import { NFS_MOUNT_PATH } from '../providers/kind-config.ts';
import type { DiagnosticEntry, DiagnosticRequest, GitopsOps, HostPath, MeshOps } from './mesh-ops-types.ts';
import { ForwardSet, startForward, type Forward } from './service-forward.ts';

const GATEWAY_SELECTOR = 'istio=ingressgateway';

/** `kubectl|istioctl --kubeconfig <lab's> --context <lab's> ARGS`, the binary as the provider finds it. */
export function labToolArgv(ctx: LabContext, tool: 'kubectl' | 'istioctl', args: string[]): string[] {
  return [ctx.tool(tool), '--kubeconfig', ctx.cfg.kubeconfig, '--context', ctx.provider.contextName(), ...args];
}

/** Plain JSON as the API server sends it (client-node reads typed kinds into its models). */
export function toWireForm(o: KubernetesObject): KubernetesObject {
  return JSON.parse(JSON.stringify(ObjectSerializer.serialize(o, getSerializationType(o.apiVersion, o.kind)))) as KubernetesObject;
}

/** The first word of the provider's ingress URL ("http://127.0.0.1:8080 (run: …)" → the URL). */
export function ingressBase(raw: string): string {
  const first = raw.trim().split(/\s+/)[0] ?? '';
  try {
    parseTargetUrl(first);
  } catch (err) {
    throw new LabError(`the ingress URL is not usable: ${JSON.stringify(raw)} (${(err as Error).message})`);
  }
  return first.replace(/\/+$/, '');
}

export function keepLines(text: string, req: Pick<DiagnosticRequest, 'filter' | 'tailLines'>): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && (!req.filter || req.filter(l)));
  const tail = req.tailLines ?? 60;
  const kept = lines.slice(-tail);
  return (lines.length > tail ? [`(${lines.length - tail} earlier lines left out)`, ...kept] : kept).join('\n');
}

/** `/opt/nfs/…` on the nodes as LAB_DATA_DIR/… here, where the provider mounts it (kind, minikube). */
export function hostPathOn(ctx: Pick<LabContext, 'cfg' | 'provider'>, nodePath: string): HostPath {
  const rel = path.posix.relative(NFS_MOUNT_PATH, nodePath);
  if (rel === '' || rel.startsWith('..') || path.posix.isAbsolute(rel)) return { why: `${nodePath} is not under ${NFS_MOUNT_PATH}, where LAB_DATA_DIR is mounted` };
  if (!ctx.provider.capabilities.dataDirOnNodes) return { why: `on ${ctx.provider.name} the nodes' ${NFS_MOUNT_PATH} is not LAB_DATA_DIR on this machine` };
  return { path: path.join(ctx.cfg.dataDir, ...rel.split('/')) };
}

export interface MeshOpsOptions {
  /** Offer MeshOps.relaunch (`lab down` + `lab up` with this context). Default true. */
  relaunch?: boolean;
  start?: (argv: string[]) => Promise<Forward>;
}

/** LAB_GITOPS=argocd: commits to the lab's repository in scratch clones; Argo CD's Applications through the lab's client. */
function gitopsOps(ctx: LabContext): GitopsOps | undefined {
  if (ctx.cfg.gitops !== 'argocd') return undefined;
  return {
    repo: new GitopsPusher(gitopsRepo(ctx.cfg).gitDir, ctx.run),
    applications: { get: (ref) => ctx.kube().get(ref), mergePatch: (ref, patch) => ctx.kube().mergePatch(ref, patch) },
    order: GITOPS_APP_ORDER,
  };
}

export function createMeshOps(ctx: LabContext, opts: MeshOpsOptions = {}): MeshOps {
  const start = opts.start ?? startForward;
  const kube = () => ctx.kube();
  const forwards = new ForwardSet(start);
  const command: MeshOps['command'] = async (tool, args, opts = {}) => {
    const argv = labToolArgv(ctx, tool, args);
    try {
      const res = await ctx.run.run(argv[0], argv.slice(1), { timeoutMs: opts.timeoutMs ?? 30_000, input: opts.input });
      return { argv, exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr };
    } catch (err) {
      return { argv, exitCode: null, stdout: '', stderr: `could not run: ${(err as Error).message}` };
    }
  };
  return {
    async get(ref) {
      const o = await kube().get(ref);
      return o ? toWireForm(o) : undefined;
    },
    async apply(objs) {
      await kube().apply(objs);
    },
    async list(apiVersion, kind, opts = {}) {
      return (await kube().list(apiVersion, kind, opts)).map(toWireForm);
    },
    command,
    delete: (ref) => kube().delete(ref),
    async waitRollout(namespace, name, timeoutMs = 300_000) {
      await kube().waitFor<V1Deployment>(`/apis/apps/v1/namespaces/${namespace}/deployments`, name, isRolledOut, timeoutMs, `deployment ${namespace}/${name} to finish its rollout`);
    },
    async readyEndpoints(namespace, service) {
      const slices = await kube().list<KubernetesObject & { endpoints?: Array<{ conditions?: { ready?: boolean } }> }>(
        'discovery.k8s.io/v1', 'EndpointSlice', { namespace, labelSelector: `kubernetes.io/service-name=${service}` });
      return slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
    },
    async gatewayAdmin(page) {
      const pods = (await kube().list<V1Pod>('v1', 'Pod', { namespace: ISTIO_NAMESPACE, labelSelector: GATEWAY_SELECTOR }))
        .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      if (pods.length === 0) throw new LabError(`no running ingress-gateway pod (${ISTIO_NAMESPACE}, ${GATEWAY_SELECTOR})`);
      const out = [];
      for (const p of pods) {
        const argv = labToolArgv(ctx, 'kubectl', ['exec', '-n', ISTIO_NAMESPACE, p.metadata!.name!, '-c', 'istio-proxy', '--', 'pilot-agent', 'request', 'GET', page]);
        const res = await mustRun(ctx.run, argv[0], argv.slice(1), { timeoutMs: 30_000 });
        out.push({ pod: p.metadata!.name!, text: res.stdout });
      }
      return out;
    },
    async ingressUrl() {
      return ingressBase(await ctx.provider.ingressUrl());
    },
    async collect(requests) {
      const out: DiagnosticEntry[] = [];
      for (const req of requests) {
        const r = await command(req.tool, req.args);
        out.push({ title: req.title, argv: r.argv, exitCode: r.exitCode, output: keepLines(`${r.stdout}\n${r.stderr}`, req) });
      }
      return out;
    },
    async serviceUrl(name) {
      const e = ENDPOINTS[name];
      if (e.scheme !== 'http') throw new LabError(`${name} (${e.namespace}/${e.service}:${e.port}) is a ${e.scheme} endpoint, not an HTTP API`);
      const argv = labToolArgv(ctx, 'kubectl', ['port-forward', '--address', '127.0.0.1', '-n', e.namespace, `svc/${e.service}`, `0:${e.port}`]);
      const port = await forwards.port(name, argv);
      return `http://127.0.0.1:${port}${e.path}`.replace(/\/+$/, '');
    },
    close: () => forwards.close().catch(() => undefined),
    hostPathOf: (nodePath) => hostPathOn(ctx, nodePath),
    gitops: gitopsOps(ctx),
    // In this process with this context (the settings and flags of the run); the summary of `up`
    // goes to stderr so stdout keeps only the exercise's report. Loaded when used: it is the whole pipeline.
    relaunch: opts.relaunch === false ? undefined : {
      async down() {
        const { runDown } = await import('../down.ts');
        await runDown(ctx, { purge: false });
      },
      async up() {
        const { runUp } = await import('../up.ts');
        await runUp(ctx, process.stderr);
      },
    },
  };
}
