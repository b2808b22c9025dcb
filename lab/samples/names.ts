// The samples' names, on their own so the CLI can offer them without loading the samples.
export const SAMPLES = ['sock-shop', 'eng-app'] as const;
export type SampleName = (typeof SAMPLES)[number];
