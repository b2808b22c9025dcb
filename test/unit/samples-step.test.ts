// The samples step's own logic: eng-app.env created once with fresh passwords (never overwritten),
// and the image settings reaching the rendered Deployments.
import test from 'ava';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { V1Deployment } from '@kubernetes/client-node';
import { ensureEngAppEnv, engAppEnvFile, sampleObjects } from '../../lab/steps/samples.ts';
import { readEngAppEnv } from '../../lab/samples/eng-app-secret.ts';
import { testConfig, testContext } from '../helpers.ts';

test('eng-app.env is generated once, with fresh passwords that satisfy the secret rules', (t) => {
  const cfg = testConfig();
  const logged: string[] = [];
  const file = ensureEngAppEnv(cfg, (m) => logged.push(m));
  t.is(file, engAppEnvFile(cfg));
  const text = readFileSync(file, 'utf8');
  t.notRegex(text, /change-me/);
  const v = readEngAppEnv(file);
  t.is(v.DATABASE_DEV_PASSWORD, v.MYSQL_ROOT_PASSWORD, 'the app logs in as root, as in the document');
  t.true(v.MYSQL_ROOT_PASSWORD.length >= 16);
  t.is(statSync(file).mode & 0o777, 0o600);
  t.regex(logged[0], /created .*eng-app\.env with generated passwords/);
  writeFileSync(file, text.replace(v.INIT_USER_PASSWD, 'mine'));
  ensureEngAppEnv(cfg, () => t.fail('must not recreate'));
  t.is(readEngAppEnv(file).INIT_USER_PASSWD, 'mine');
});

test('LAB_FRONTEND_V2_IMAGE and LAB_ENG_APP_IMAGE reach the Deployments', (t) => {
  const cfg = testConfig({ LAB_FRONTEND_V2_IMAGE: 'docker.io/me/front-end:blue', LAB_ENG_APP_IMAGE: 'docker.io/me/eng_app:2' });
  const { ctx } = testContext(cfg);
  const image = (objs: ReturnType<typeof sampleObjects>, name: string) =>
    (objs.find((o) => o.kind === 'Deployment' && o.metadata?.name === name) as V1Deployment).spec!.template.spec!.containers[0].image;
  t.is(image(sampleObjects(ctx, 'sock-shop', 'example'), 'front-end-v2'), 'docker.io/me/front-end:blue');
  t.is(image(sampleObjects(ctx, 'sock-shop', 'example'), 'front-end'), 'docker.io/weaveworksdemos/front-end:0.3.12');
  t.is(image(sampleObjects(ctx, 'eng-app', 'example'), 'eng-app-app'), 'docker.io/me/eng_app:2');
});
