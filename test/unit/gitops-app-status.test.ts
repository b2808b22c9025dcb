// When `lab up` (GitOps mode) counts a sample as rolled out: Synced at the repository's HEAD and
// Healthy; anything else is named with Argo CD's own conditions. And the wait: it asks for a
// refresh first, and times out saying which Application is not there.
import test from 'ava';
import type { KubernetesObject } from '@kubernetes/client-node';
import { applicationsNotDone, notDone, REFRESH_ANNOTATION, waitApplications } from '../../lab/gitops/app-status.ts';
import type { ApplicationClient } from '../../lab/gitops/auto-sync.ts';

const HEAD = 'a'.repeat(40);
const app = (status: Record<string, unknown>): KubernetesObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'x' }, status } as KubernetesObject);
const good = app({ sync: { status: 'Synced', revision: HEAD }, health: { status: 'Healthy' } });

test('Synced at HEAD and Healthy is done; every other state is named', (t) => {
  t.is(notDone('sock-shop', good, HEAD), undefined);
  t.regex(notDone('sock-shop', undefined, HEAD)!, /does not exist/);
  t.regex(notDone('sock-shop', app({ sync: { status: 'Synced', revision: 'b'.repeat(40) }, health: { status: 'Healthy' } }), HEAD)!, /Synced at bbbbbbbb \(HEAD is aaaaaaaa\), Healthy/);
  t.regex(notDone('sock-shop', app({ sync: { status: 'OutOfSync', revision: HEAD }, health: { status: 'Healthy' } }), HEAD)!, /OutOfSync/);
  t.regex(notDone('eng-app', app({ sync: { status: 'Synced', revision: HEAD }, health: { status: 'Degraded', message: 'Job db-init failed' } }), HEAD)!, /Degraded — Job db-init failed/);
  t.regex(notDone('eng-app', app({ sync: { status: 'Unknown' }, conditions: [{ type: 'ComparisonError', message: 'git fetch failed: connection refused' }] }), HEAD)!, /Unknown, no health — ComparisonError: git fetch failed/);
  t.regex(notDone('eng-app', app({}), HEAD)!, /no sync status, no health/);
});

function client(apps: Record<string, KubernetesObject | undefined>, patches: string[], later?: () => void): ApplicationClient {
  return {
    async get(ref) {
      later?.();
      return apps[ref.name];
    },
    async mergePatch(ref, p) {
      patches.push(`${ref.name} ${JSON.stringify(p)}`);
    },
  };
}

test('the wait asks each existing Application for a refresh, then returns once all are done', async (t) => {
  const patches: string[] = [];
  const apps: Record<string, KubernetesObject | undefined> = { 'sock-shop': app({ sync: { status: 'OutOfSync' } }), 'eng-app': good };
  let now = 0;
  const sleep = async (ms: number) => {
    now += ms;
    if (now >= 9_000) apps['sock-shop'] = good;
  };
  await waitApplications(client(apps, patches), ['sock-shop', 'eng-app'], HEAD, { timeoutMs: 60_000, pollMs: 3_000, sleep, now: () => now });
  t.deepEqual(patches, [`sock-shop {"metadata":{"annotations":{"${REFRESH_ANNOTATION}":"normal"}}}`, `eng-app {"metadata":{"annotations":{"${REFRESH_ANNOTATION}":"normal"}}}`]);
  t.is(now, 9_000);
});

test('the wait times out naming the Application that is not there, and how to look', async (t) => {
  let now = 0;
  const err = await t.throwsAsync(waitApplications(client({ 'sock-shop': good }, []), ['sock-shop', 'eng-app'], HEAD, { timeoutMs: 30_000, sleep: async (ms) => void (now += ms), now: () => now }));
  t.regex(err!.message, /Argo CD has not rolled out one Application within 30 s/);
  t.regex((err as { detail?: string }).detail!, /Application eng-app does not exist[\s\S]*gitops status/);
  t.deepEqual(await applicationsNotDone(client({ 'sock-shop': good, 'eng-app': good }, []), ['sock-shop', 'eng-app'], HEAD), []);
});
