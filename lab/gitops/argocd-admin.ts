// Argo CD's admin login (LAB_GITOPS=argocd). Argo CD makes its own: on first start argocd-server
// writes a random password to the Secret argocd-initial-admin-secret (key `password`), user `admin`.
// The lab reads it once it exists and keeps a copy in .lab/argocd-admin.env (0600), so `lab pf` and
// the summary can show it without asking the cluster. A password you change in Argo CD's UI is not
// seen by the lab: delete the file and the Secret's value is read again (if you kept the Secret).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { parse } from 'dotenv';
import type { ObjRef } from '../kube-refs.ts';
import { ARGOCD_NAMESPACE } from './auto-sync.ts';

export const ARGOCD_ADMIN_FILE = 'argocd-admin.env';
export const ARGOCD_ADMIN_USER = 'admin';
export const INITIAL_ADMIN_SECRET: ObjRef = { apiVersion: 'v1', kind: 'Secret', namespace: ARGOCD_NAMESPACE, name: 'argocd-initial-admin-secret' };
export const INITIAL_ADMIN_KEY = 'password';

export interface ArgocdAdmin {
  user: string;
  password: string;
  file: string;
}

export const argocdAdminFile = (stateDir: string) => path.join(stateDir, ARGOCD_ADMIN_FILE);

/** The saved login, or undefined when the lab has not read it yet (or the file has no password). */
export function readArgocdAdmin(stateDir: string): ArgocdAdmin | undefined {
  const file = argocdAdminFile(stateDir);
  if (!existsSync(file)) return undefined;
  const env = parse(readFileSync(file, 'utf8'));
  if (!env.ARGOCD_ADMIN_PASSWORD) return undefined;
  return { user: env.ARGOCD_ADMIN_USER || ARGOCD_ADMIN_USER, password: env.ARGOCD_ADMIN_PASSWORD, file };
}

export function saveArgocdAdmin(stateDir: string, password: string): string {
  const file = argocdAdminFile(stateDir);
  writeFileSync(file, `# Argo CD's admin login, read from ${INITIAL_ADMIN_SECRET.namespace}/${INITIAL_ADMIN_SECRET.name} by lab up\nARGOCD_ADMIN_USER=${ARGOCD_ADMIN_USER}\nARGOCD_ADMIN_PASSWORD=${password}\n`, { mode: 0o600 });
  return file;
}

/** The password in argocd-initial-admin-secret, or undefined while argocd-server has not made it. */
export async function readInitialAdminPassword(kube: { get(ref: ObjRef): Promise<KubernetesObject | undefined> }): Promise<string | undefined> {
  const secret = (await kube.get(INITIAL_ADMIN_SECRET)) as V1Secret | undefined;
  const b64 = secret?.data?.[INITIAL_ADMIN_KEY];
  return b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}
