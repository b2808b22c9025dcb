// Istio's own offline analyzers (istioctl analyze --use-kube=false, built by `make testenv`) on the
// rendered samples: both apps together raise nothing, and seed 004's original DestinationRule
// (host `eng-app-app`) is caught. Fails, not skips, without istioctl: `make test` builds it first.
import test from 'ava';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { readEngAppEnv } from '../../lab/samples/eng-app-secret.ts';
import { renderEngApp, renderSeedOriginalDestinationRule } from '../../lab/samples/eng-app.ts';
import { renderSockShop } from '../../lab/samples/sock-shop.ts';
import { testenvBinDir } from '../../lab/testenv/paths.ts';
import { istioAnalyze, type IstioFinding } from '../../lab/testenv/validate.ts';
import { REPO, tempDir } from '../helpers.ts';

const istioctl = path.join(testenvBinDir(), 'istioctl');
const example = path.join(REPO, 'manifests', 'eng-app', 'eng-app.env.example');
const engApp = () => renderEngApp({ secretValues: readEngAppEnv(example) });

const dirs: string[] = [];
test.after.always(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A directory with `objs` as YAML plus the ingress gateway stand-in. */
function analysisDir(objs: KubernetesObject[]): string {
  const dir = tempDir('lab-analyze-');
  dirs.push(dir);
  // YAML 1.1 quoting: Go's YAML reads a plain `no` (redis's `--appendonly no`) as a boolean.
  const yaml = objs.map((o) => stringify(o, { version: '1.1', aliasDuplicateObjects: false }));
  writeFileSync(path.join(dir, 'objects.yaml'), yaml.join('---\n'));
  copyFileSync(path.join(REPO, 'fixtures', 'samples', 'ingressgateway-stub.yaml'), path.join(dir, 'ingressgateway.yaml'));
  return dir;
}

const show = (f: IstioFinding[]) => f.map((x) => `${x.code} ${x.level} ${x.resource}: ${x.message}`).join('\n') || '(none)';

test.before((t) => {
  if (!existsSync(istioctl)) t.fail(`istioctl is not built in ${testenvBinDir()}: run make testenv (or make test)`);
});

// Without --all-namespaces istioctl only reports findings in namespace `default`.
const analyze = (dir: string, failureThreshold?: 'Info' | 'Error') => istioAnalyze(dir, { failureThreshold, extraArgs: ['--all-namespaces'] });

test('sock-shop and eng-app together: no findings at all (Info and up)', async (t) => {
  const r = await analyze(analysisDir([...renderSockShop(), ...engApp()]), 'Info');
  t.deepEqual(r.findings, [], show(r.findings));
  t.is(r.exitCode, 0, r.stderr);
  // istioctl skips a document it cannot decode with only a warning: that must not pass as clean.
  t.notRegex(r.stderr, /error processing|could not be parsed/);
});

// Caught because our VirtualService routes to subset v1: with the seed's own VirtualService (no
// subset) the wrong host would go unnoticed, which is how it survived in the seed.
test('the seed\'s original DestinationRule is reported (IST0101: subset v1 of eng-app-app-service not found)', async (t) => {
  const objs = engApp().filter((o) => o.kind !== 'DestinationRule');
  const r = await analyze(analysisDir([...objs, renderSeedOriginalDestinationRule()]));
  t.is(r.exitCode, 79, `${r.stderr}\n${show(r.findings)}`);
  t.true(
    r.findings.some((f) => f.code === 'IST0101' && f.level === 'Error' && f.message.includes('"eng-app-app-service+v1"')),
    show(r.findings),
  );
});

// istioctl 1.30 no longer reports unprefixed port names (IST0118) for plain TCP-looking ports, so
// port names are checked by sock-shop.test.ts / eng-app.test.ts instead.
test('the clean result is not vacuous: a subset missing from the DestinationRule is reported', async (t) => {
  const objs = renderSockShop();
  const vs = objs.find((o) => o.kind === 'VirtualService') as unknown as { spec: { http: { route: { destination: { subset: string } }[] }[] } };
  vs.spec.http[0].route[1].destination.subset = 'v3';
  const r = await analyze(analysisDir(objs), 'Info');
  t.true(r.findings.some((f) => f.code === 'IST0101' && f.message.includes('"front-end+v3"')), show(r.findings));
});
