// The exercises' names, on their own so the CLI's help can list them without loading the
// exercises (a test keeps this list equal to EXERCISES in index.ts).
export const EXERCISE_NAMES = ['traffic-split', 'circuit-breaker', 'blue-green', 'observability', 'canary', 'fault-injection', 'retries-timeouts', 'mtls', 'scheduling', 'persistence', 'gitops'] as const;
