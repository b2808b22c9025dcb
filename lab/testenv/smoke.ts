// End-to-end check of a kwok cluster: namespaces, a fake node, scheduling + readiness,
// a Job completing, and the PV controller binding a PVC.
import { join } from 'node:path';
import { $ } from 'zx';
import { testenvBinDir } from './paths.ts';

export interface SmokeStep {
  step: string;
  ok: boolean;
  seconds: number;
  detail: string;
}

const NODE = (name: string, group: string) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node.kubernetes.io/nodegroup: ${group}
status:
  allocatable: {cpu: "16", memory: 64Gi, pods: "110"}
  capacity: {cpu: "16", memory: 64Gi, pods: "110"}
`;

const WORKLOADS = (ns: string, group: string) => `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {node.kubernetes.io/nodegroup: ${group}}
      containers: [{name: web, image: docker.io/library/nginx:1.27}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: ${ns}}
spec:
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {type: kwok}
      containers: [{name: once, image: docker.io/library/busybox:1.36, command: ["true"]}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: ${ns}-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  hostPath: {path: /tmp/${ns}-pv}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim, namespace: ${ns}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  resources: {requests: {storage: 1Gi}}
`;

/** Runs the checks against `kubeconfig` (current context); never throws, returns one entry per step. */
export async function smokeTest(kubeconfig: string, opts: { binDir?: string; ns?: string } = {}): Promise<SmokeStep[]> {
  const kubectl = join(opts.binDir ?? testenvBinDir(), 'kubectl');
  const ns = opts.ns ?? 'smoke';
  const group = 'apps';
  const steps: SmokeStep[] = [];
  const k = async (args: string[], input?: string) => {
    const p = await $({ quiet: true, nothrow: true, input })`${kubectl} --kubeconfig ${kubeconfig} ${args}`;
    return { ok: p.exitCode === 0, out: (p.stdout + p.stderr).trim() };
  };
  const step = async (name: string, fn: () => Promise<{ ok: boolean; out: string }>) => {
    const t0 = performance.now();
    const r = await fn();
    steps.push({ step: name, ok: r.ok, seconds: Math.round((performance.now() - t0) / 100) / 10, detail: r.out.split('\n').slice(-6).join('\n') });
    return r.ok;
  };

  if (!(await step('get ns', () => k(['get', 'ns'])))) return steps;
  await step('create fake node', () => k(['apply', '-f', '-'], NODE('kwok-node-0', group)));
  await step('node Ready', () => k(['wait', '--for=condition=Ready', 'node/kwok-node-0', '--timeout=60s']));
  await step('apply workloads', () => k(['apply', '-f', '-'], WORKLOADS(ns, group)));
  await step('deployment Available (scheduled by nodeSelector, pods Ready)', () =>
    k(['-n', ns, 'rollout', 'status', 'deploy/web', '--timeout=90s']),
  );
  await step('pods bound to the fake node', async () => {
    const r = await k(['-n', ns, 'get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}']);
    const lines = r.out.split('\n').filter(Boolean);
    return { ok: r.ok && lines.length === 2 && lines.every((l) => l === 'kwok-node-0 Running'), out: r.out };
  });
  await step('job Complete', () => k(['-n', ns, 'wait', '--for=condition=Complete', 'job/once', '--timeout=90s']));
  await step('pvc Bound (PV controller)', () =>
    k(['-n', ns, 'wait', '--for=jsonpath={.status.phase}=Bound', 'pvc/claim', '--timeout=60s']),
  );
  return steps;
}
