// `lab plan` per LAB_PROFILE: every release the profile installs with its chart, version and
// digest; the ones it does not, marked with the profile that does.
import test from 'ava';
import { planLines } from '../../lab/pipeline.ts';
import { CHARTS } from '../../lab/versions.ts';
import { testConfig, testContext } from '../helpers.ts';

const plan = (profile: string) => planLines(testContext(testConfig({ LAB_PROFILE: profile })).ctx).join('\n');

test('standard: kube-prometheus-stack, Jaeger, Kiali, Flagger and its loadtester with version and sha256; Loki and Alloy named as full-only', (t) => {
  const p = plan('standard');
  for (const name of ['kube-prometheus-stack', 'jaeger', 'kiali-server', 'flagger', 'loadtester'] as const) {
    t.true(p.includes(`${CHARTS[name].repo.name}/${name} ${CHARTS[name].version} (app ${CHARTS[name].appVersion}), sha256 ${CHARTS[name].sha256}`), name);
  }
  t.regex(p, /loki — .* \[not with LAB_PROFILE=standard; installed with LAB_PROFILE=full\]/);
  t.regex(p, /alloy — .* \[not with LAB_PROFILE=standard; installed with LAB_PROFILE=full\]/);
  t.notRegex(p, /loki 18\./);
  // Flagger after Kiali (it needs Istio, kube-prometheus-stack and the mesh monitors), the loadtester last, in sock-shop.
  t.regex(p, /\d+\. kiali — [\s\S]*\d+\. flagger — [\s\S]*\d+\. flagger-loadtester — /);
  t.regex(p, /upgrade --install flagger \S+flagger-1\.44\.0\.tgz --namespace istio-system/);
  t.regex(p, /upgrade --install flagger-loadtester \S+loadtester-0\.38\.0\.tgz --namespace sock-shop/);
  t.regex(p, /values: manifests\/observability\/values\/flagger-loadtester\.yaml/);
});

test('full adds Loki and Alloy with their pins and keeps Flagger; minimal installs none of the stack', (t) => {
  const full = plan('full');
  for (const name of ['loki', 'alloy', 'flagger', 'loadtester'] as const) t.true(full.includes(`${CHARTS[name].repo.name}/${name} ${CHARTS[name].version}`), name);
  t.regex(full, /apply manifests\/observability\/grafana-loki: ConfigMap\/lab-datasource-loki/);
  const minimal = plan('minimal');
  t.notRegex(minimal, /sha256 [0-9a-f]{64}/);
  t.regex(minimal, /observability — .* \[LAB_PROFILE=minimal installs no observability\]/);
  t.regex(minimal, /kiali — .* \[not with LAB_PROFILE=minimal; installed with LAB_PROFILE=standard or full\]/);
  t.regex(minimal, /flagger — .* \[not with LAB_PROFILE=minimal; installed with LAB_PROFILE=standard or full\]/);
  t.regex(minimal, /flagger-loadtester — .* \[not with LAB_PROFILE=minimal; installed with LAB_PROFILE=standard or full\]/);
});
