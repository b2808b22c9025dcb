// Argo CD's Helm release (LAB_GITOPS=argocd, seed 002): release `argocd` in `argocd` on the deploy
// node group, the server without TLS, no Dex, no notifications (manifests/observability/values/
// argocd.yaml). The chart brings the Application/AppProject CRDs; the gitops step after it gives
// Argo CD its git server and the app-of-apps root.
import { chartStep } from './chart.ts';
import type { Step } from './types.ts';

export const argocdStep: Step = chartStep({
  key: 'argocd',
  title: 'Argo CD (GitOps: syncs the samples from the lab\'s git server)',
  needs: ['cluster', 'node-groups'],
});
