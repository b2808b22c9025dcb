// `lab plan` per LAB_PROFILE: every release the profile installs with its chart, version and
// digest; the ones it does not, marked with the profile that does.
import test from 'ava';
import { planLines } from '../../lab/pipeline.ts';
import { CHARTS } from '../../lab/versions.ts';
import { testConfig, testContext } from '../helpers.ts';

const plan = (profile: string) => planLines(testContext(testConfig({ LAB_PROFILE: profile })).ctx).join('\n');

test('standard: kube-prometheus-stack, Jaeger and Kiali with version and sha256; Loki and Alloy named as full-only', (t) => {
  const p = plan('standard');
  for (const name of ['kube-prometheus-stack', 'jaeger', 'kiali-server'] as const) {
    t.true(p.includes(`${CHARTS[name].repo.name}/${name} ${CHARTS[name].version} (app ${CHARTS[name].appVersion}), sha256 ${CHARTS[name].sha256}`), name);
  }
  t.regex(p, /loki — .* \[not with LAB_PROFILE=standard; installed with LAB_PROFILE=full\]/);
  t.regex(p, /alloy — .* \[not with LAB_PROFILE=standard; installed with LAB_PROFILE=full\]/);
  t.notRegex(p, /loki 18\./);
});

test('full adds Loki and Alloy with their pins; minimal installs none of the stack', (t) => {
  const full = plan('full');
  for (const name of ['loki', 'alloy'] as const) t.true(full.includes(`${CHARTS[name].repo.name}/${name} ${CHARTS[name].version}`), name);
  t.regex(full, /apply manifests\/observability\/grafana-loki: ConfigMap\/lab-datasource-loki/);
  const minimal = plan('minimal');
  t.notRegex(minimal, /sha256 [0-9a-f]{64}/);
  t.regex(minimal, /observability — .* \[LAB_PROFILE=minimal installs no observability\]/);
  t.regex(minimal, /kiali — .* \[not with LAB_PROFILE=minimal; installed with LAB_PROFILE=standard or full\]/);
});
