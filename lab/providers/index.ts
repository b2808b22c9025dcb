import { LabError } from '../errors.ts';
import { ExistingProvider } from './existing.ts';
import { KindProvider } from './kind.ts';
import { MinikubeProvider } from './minikube.ts';
import { SimProvider } from './sim.ts';
import type { ClusterProvider, ProviderDeps } from './types.ts';

export function makeProvider(d: ProviderDeps, flags: { labelNodes: boolean }): ClusterProvider {
  switch (d.cfg.provider) {
    case 'kind':
      return new KindProvider(d);
    case 'minikube':
      return new MinikubeProvider(d);
    case 'existing':
      return new ExistingProvider(d, flags.labelNodes);
    case 'sim':
      return new SimProvider(d);
    default:
      throw new LabError(`unknown provider ${String(d.cfg.provider)}`);
  }
}
