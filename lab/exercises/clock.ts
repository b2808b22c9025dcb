// The time an exercise waits and measures by. Real time in the lab; the contract tests hand the
// exercise and its fake peer one virtual clock, so a deadline is judged in the fake's own time and
// a loaded test machine cannot turn a pass into a fail (or the reverse).
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
