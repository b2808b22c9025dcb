// Providers by capability: what differs between kind, minikube, existing and sim is declared in
// lab/providers/ (capabilities.ts and each provider's file) and nowhere else asks for a provider by
// name. A scan of the sources keeps it so; the table itself is checked against what each provider
// class reports.
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROVIDERS } from '../../lab/config-keys.ts';
import { CAPABILITIES } from '../../lab/providers/capabilities.ts';
import { REPO, testConfig, testContext } from '../helpers.ts';

const sources = (dir: string) =>
  (readdirSync(path.join(REPO, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));

test('no provider is asked for by name outside lab/providers/', (t) => {
  const offenders: string[] = [];
  for (const file of [...sources('lab'), ...sources('scripts')].filter((f) => !f.startsWith(path.join('lab', 'providers')))) {
    readFileSync(path.join(REPO, file), 'utf8').split('\n').forEach((line, i) => {
      if (/provider\s*[!=]==?\s*['"](kind|minikube|existing|sim)['"]/.test(line) || /['"](kind|minikube|existing|sim)['"]\s*[!=]==?\s*\S*provider/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  t.deepEqual(offenders, []);
});

test('every provider declares its capabilities, and its object carries the same', (t) => {
  t.deepEqual(Object.keys(CAPABILITIES).sort(), [...PROVIDERS].sort());
  for (const name of PROVIDERS) {
    const env: Record<string, string> = { LAB_PROVIDER: name, ...(name === 'existing' ? { LAB_CONTEXT: 'mine' } : {}) };
    const { ctx } = testContext(testConfig(env));
    t.is(ctx.provider.capabilities, CAPABILITIES[name], name);
    t.is(ctx.provider.capabilities.ingressOnHostPort, ctx.provider.hostPorts().length > 0, `${name}: publishes host ports iff it says so`);
  }
  t.false(CAPABILITIES.sim.dataPlane);
  t.is(CAPABILITIES.sim.meshInstall, 'generated-objects');
});
