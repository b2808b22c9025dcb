// What each provider can do, declared once, so the rest of the lab asks "does this cluster run
// pods?" rather than "is this sim?".
import type { ProviderName } from '../config-keys.ts';

export interface ProviderCapabilities {
  /** Pods really run: images are pulled, pods write files, traffic flows. false on sim. */
  dataPlane: boolean;
}

export const CAPABILITIES: Record<ProviderName, ProviderCapabilities> = {
  kind: { dataPlane: true },
  minikube: { dataPlane: true },
  existing: { dataPlane: true },
  sim: { dataPlane: false },
};
