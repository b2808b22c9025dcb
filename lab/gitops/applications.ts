// The GitOps mode's objects (LAB_GITOPS=argocd), all from manifests/gitops/: the git server and the
// bootstrap the gitops step applies, and the app-of-apps tree Argo CD syncs from git below the root:
//   root (AppProject root) → parents app, infra (manifests/gitops/parents)
//     app   → sock-shop (manifests/sock-shop), eng-app (manifests/gitops/overlays/eng-app)
//     infra → istio-telemetry (manifests/istio)
// The repository's work tree is manifests/, so each Application's source path is a folder of it.
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadManifests } from '../manifests.ts';
import { ARGOCD_NAMESPACE } from './auto-sync.ts';
import { repoUrl } from './daemon.ts';

export const GIT_SERVER_HOST = `git-server.${ARGOCD_NAMESPACE}.svc.cluster.local`;
export const GIT_SERVER = { namespace: ARGOCD_NAMESPACE, deployment: 'git-server', service: 'git-server' } as const;
/** Where the git server reads the repositories on a node (LAB_DATA_DIR/gitops, under the /opt/nfs mount). */
export const NODE_REPOS_DIR = '/opt/nfs/gitops';
/** In the git-server pod. */
export const POD_REPOS_DIR = '/srv/git';

export const ROOT_APP = 'root';
/** Every Application of the tree, parents before their children: the order automated sync is
 * paused in (a parent still syncing would put back its children's specs) and resumed in reverse. */
export const GITOPS_APP_ORDER = [ROOT_APP, 'app', 'infra', 'sock-shop', 'eng-app', 'istio-telemetry'];
/** The samples' Applications: `lab up` waits for them Synced at HEAD and Healthy. */
export const SAMPLE_APPS = { 'sock-shop': 'sock-shop', 'eng-app': 'eng-app' } as const;

/** The folders of manifests/gitops/ and what each holds (also `lab render`'s file names). */
export const GITOPS_FOLDERS = {
  gitServer: 'gitops/git-server',
  root: 'gitops/root',
  parents: 'gitops/parents',
  app: 'gitops/app',
  infra: 'gitops/infra',
  engAppOverlay: 'gitops/overlays/eng-app',
} as const;

export const gitServerObjects = (): KubernetesObject[] => loadManifests(GITOPS_FOLDERS.gitServer);
/** The AppProjects and the root Application: what the lab applies; git holds the rest. */
export const bootstrapObjects = (): KubernetesObject[] => loadManifests(GITOPS_FOLDERS.root);
/** The Applications Argo CD makes from git below the root (parents, then children). */
export const treeApplications = (): KubernetesObject[] => [GITOPS_FOLDERS.parents, GITOPS_FOLDERS.app, GITOPS_FOLDERS.infra].flatMap((f) => loadManifests(f));

/** The repository URL every Application and AppProject names. */
export const gitopsRepoUrl = () => repoUrl(GIT_SERVER_HOST);
