// How the lab's git server serves the GitOps repository: Debian's `git daemon`, read only, every
// repository under the base path exported, at git://<host>:9418/lab.git, each request logged
// (--verbose, to the pod's log). The same argv runs in the cluster's git-server pod (against
// /opt/nfs/gitops) and in the tests (against a temp directory on 127.0.0.1). `safe.directory=*`: the repository belongs to the user who committed (on the nodes,
// through the /opt/nfs mount, another uid than the daemon's), and git refuses to serve a repository
// another user owns without it ("dubious ownership" — a test shows both).
import { REPO_NAME } from './repo.ts';

export const GIT_PORT = 9418;

export function gitDaemonArgs(basePath: string, listen: string, port = GIT_PORT): string[] {
  return ['-c', 'safe.directory=*', 'daemon', `--base-path=${basePath}`, '--export-all', '--reuseaddr', `--listen=${listen}`, `--port=${port}`, '--informative-errors', '--verbose', basePath];
}

/** The URL an Application's source names: the repository under the daemon's base path. */
export function repoUrl(host: string, port = GIT_PORT): string {
  return `git://${host}${port === GIT_PORT ? '' : `:${port}`}/${REPO_NAME}`;
}
