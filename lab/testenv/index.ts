// The test environment: real Kubernetes control-plane binaries and real tools built from Go modules.
// See docs/testenv-notes.md.
export { ensureTestenv, testenvBinDir, TestenvBuildError } from './build.ts';
export type { BuiltBinary, EnsureOptions, EnsureResult } from './build.ts';
export { GROUPS, allBinaries } from './spec.ts';
export { testenvRoot, testenvHash, kwokWorkdir, labCacheRoot } from './paths.ts';
export { CRD_SOURCES, ensureTestenvCrds, testenvCrdDir, testenvCrds } from './crds.ts';
export type { CrdFolder, CrdSource } from './crds.ts';
export { startPrometheusOperator, generatedConfig, configOf, configSecretName } from './prometheus-operator.ts';
export type { RunningOperator, OperatorOptions, GeneratedConfig } from './prometheus-operator.ts';
export { monitorJobProblems, jobDifferences, jobName } from './monitor-jobs.ts';
export { startKwokCluster, stopKwokCluster, clusterMemory, kwokctlConfig } from './cluster.ts';
export type { KwokCluster, KwokClusterOptions } from './cluster.ts';
export { smokeTest } from './smoke.ts';
export type { SmokeStep } from './smoke.ts';
export { istioAnalyze, istioManifestGenerate, helmTemplate, helmLint, kindConfigCheck } from './validate.ts';
export type { IstioFinding } from './validate.ts';
