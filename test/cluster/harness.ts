// Runs the real `lab` CLI against a sim cluster (real kube-apiserver, etcd, controller-manager,
// scheduler; KWOK nodes) in a temp project, and gives tests an API client for its context.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Kube } from '../../lab/kube.ts';
import { testenvBinDir } from '../../lab/testenv/build.ts';
import { LAB_MJS, LAB_NODE, REPO, tempDir } from '../helpers.ts';


export interface SimProject {
  root: string;
  name: string;
  env: Record<string, string>;
  kubeconfig: string;
  context: string;
}

/** Fail (not skip) when the Go-built binaries are missing: `make test` builds them first. */
export function requireTestenv(): string | undefined {
  for (const bin of ['kwokctl', 'kwok', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    if (!existsSync(path.join(testenvBinDir(), bin))) return `${bin} is not built in ${testenvBinDir()}: run make testenv (or make test)`;
  }
  return undefined;
}

export function simProject(name: string, extra: Record<string, string> = {}): SimProject {
  const root = tempDir('lab-sim-');
  const env = { LAB_PROVIDER: 'sim', LAB_CLUSTER_NAME: name, ...extra };
  return { root, name, env, kubeconfig: path.join(root, '.lab', 'kubeconfig'), context: `kwok-${name}` };
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LAB_') && !k.startsWith('KWOK_')));
  return { ...base, CI: 'true', ...extra };
}

export function lab(p: SimProject, args: string[], extraEnv: Record<string, string> = {}) {
  const res = spawnSync(LAB_NODE, [LAB_MJS, ...args], { cwd: p.root, env: cleanEnv({ ...p.env, ...extraEnv }), encoding: 'utf8', timeout: 600_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

/** Start `lab up` in its own process group and send the group SIGINT (as Ctrl-C would) once
 * `when` appears on stderr. Resolves with the exit status and the output seen. */
export function interruptUp(p: SimProject, when: RegExp, delayMs: number): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(LAB_NODE, [LAB_MJS, 'up'], { cwd: p.root, env: cleanEnv(p.env), detached: true });
    let err = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && when.test(err)) {
        sent = true;
        setTimeout(() => process.kill(-child.pid!, 'SIGINT'), delayMs);
      }
    });
    child.on('exit', (code, signal) => resolve({ code, signal, err }));
  });
}

export function kube(p: SimProject): Kube {
  return Kube.fromFile(p.kubeconfig, p.context);
}

/** resourceVersion of every object, keyed by kind/namespace/name, to prove "no writes". */
export async function versionsOf(k: Kube, kinds: Array<[string, string]>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [apiVersion, kind] of kinds) {
    for (const o of await k.list<KubernetesObject>(apiVersion, kind)) {
      out[`${kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`] = o.metadata!.resourceVersion!;
    }
  }
  return out;
}

/** A test file's own sim lab: `lab up` (after checking the testenv), failing loudly with its output. */
export function bringUp(p: SimProject): void {
  const missing = requireTestenv();
  if (missing) throw new Error(missing);
  const r = lab(p, ['up']);
  if (r.code !== 0) throw new Error(`lab up failed (${r.code}):\n${r.err}\n${r.out}`);
}

/** Its end: `lab down --purge --yes` (the project directory is a temporary one). */
export function tearDown(p: SimProject): void {
  lab(p, ['down', '--purge', '--yes']);
}
