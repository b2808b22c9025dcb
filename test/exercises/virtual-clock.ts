// A clock for the contract tests: time moves only when the exercise sleeps, by exactly what it
// sleeps, and a fake peer that keeps its own schedule on it (the fake Flagger's interval) runs
// its due work before the sleeper wakes. So "Succeeded 0.2 s after Progressing" is the same on an
// idle machine and on one with a load of 6.
import type { Clock } from '../../lab/exercises/clock.ts';

export class VirtualClock implements Clock {
  private t: number;
  private readonly listeners: Array<(now: number) => void> = [];

  constructor(start = 1_800_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Advance by `ms`, let every listener catch up, then yield once to the event loop. */
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms);
    for (const l of this.listeners) l(this.t);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** `fn` runs every `everyMs` of this clock's time (as many times as are due at each advance). */
  every(everyMs: number, fn: () => void): () => void {
    let next = this.t + everyMs;
    const l = (now: number) => {
      while (now >= next) {
        next += everyMs;
        fn();
      }
    };
    this.listeners.push(l);
    return () => this.listeners.splice(this.listeners.indexOf(l), 1);
  }
}
