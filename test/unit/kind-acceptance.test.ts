// Would kind accept the config the lab generates? Checked by `kindcheck`, built from kind's own
// public v1alpha4 types (strict decode + kind's defaults) plus kind's validation rules — kind's
// CLI cannot be used because it looks for a container engine before it reads the config.
import test from 'ava';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { kindConfigYaml } from '../../lab/providers/kind-config.ts';
import { kindConfigCheck, testenvBinDir } from '../../lab/testenv/index.ts';
import { testConfig } from '../helpers.ts';

test.before(() => {
  if (!existsSync(path.join(testenvBinDir(), 'kindcheck'))) throw new Error(`kindcheck is not built in ${testenvBinDir()}: run make testenv`);
});

for (const env of <Array<Record<string, string>>>[{}, { LAB_WORKERS: '8', LAB_K8S_VERSION: 'v1.36.4' }, { LAB_HTTP_PORT: '80', LAB_HTTPS_PORT: '443', LAB_DATA_DIR: '/srv/lab data' }]) {
  test(`the generated config is accepted: ${JSON.stringify(env)}`, async (t) => {
    const res = await kindConfigCheck(kindConfigYaml(testConfig(env)), { yaml: true });
    t.deepEqual(res.errors, []);
    t.true(res.accepted);
  });
}

test('the same check rejects what kind would reject (it is not a rubber stamp)', async (t) => {
  const good = kindConfigYaml(testConfig());
  const cases: Array<[string, string, RegExp]> = [
    ['unknown field', good.replace('networking:', 'networkin:'), /networkin/],
    ['node-role label (kind#3536)', good.replace('node.kubernetes.io/nodegroup: app', 'node-role.kubernetes.io/app: ""'), /node-role/],
    ['duplicate host port', good.replace('hostPort: 8443', 'hostPort: 8080'), /8080/],
    ['bad role', good.replace('role: control-plane', 'role: master'), /role/],
  ];
  for (const [name, yaml, why] of cases) {
    t.not(yaml, good, `${name}: the mutation applied`);
    const res = await kindConfigCheck(yaml, { yaml: true });
    t.false(res.accepted, name);
    t.regex(res.errors.join('\n'), why, name);
  }
});
