// `lab check split|breaker|success-rate`: the exercises' assertions, usable against any URL.
// Exit 0 pass, 1 fail, 2 bad flags. --json prints the machine-readable report on stdout.
import type { Argv, CommandModule } from 'yargs';
import type { CheckReport } from '../../lab/checks/report-types.ts';
import { LabError, UsageError } from '../../lab/errors.ts';

/** The check library reports bad flag values as RangeError/TypeError starting with the flag name. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err instanceof RangeError || err instanceof TypeError) && /^--[a-z-]+:/.test(err.message)) throw new UsageError(err.message);
    throw err;
  }
}

async function emit(report: CheckReport, json: boolean): Promise<void> {
  const { formatCheckReport, reportToJson } = await import('../../lab/checks/report-format.ts');
  process.stdout.write(json ? `${reportToJson(report)}\n` : `${formatCheckReport(report)}\n`);
  if (report.status !== 'pass') throw new LabError(`check ${report.check} failed: ${report.reason}`);
}

const url = (y: Argv) =>
  y
    .option('url', { type: 'string', demandOption: 'Give --url: the address to send requests to (e.g. the ingress URL from lab up)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' });

const split: CommandModule = {
  command: 'split',
  describe: 'Is traffic split as expected? One fixed sample, judged with a tolerance and confidence',
  builder: (y) =>
    url(y)
      .option('expect', { type: 'string', demandOption: 'Give --expect, e.g. v1=80,v2=20', describe: 'label=percent pairs summing to 100' })
      .option('classify', { type: 'string', array: true, default: ['header:x-lab-version'], describe: "header:NAME or 'body:REGEX=label' (repeatable)" })
      .option('requests', { type: 'number', describe: 'Sample size (default: ⌈z²p(1−p)/E²⌉ for the tolerance and confidence)' })
      .option('confidence', { type: 'number', default: 0.99 })
      .option('tolerance', { type: 'number', default: 5, describe: 'Allowed difference per label, in percentage points' })
      .option('concurrency', { type: 'number', default: 4 })
      .option('max-errors', { type: 'number', default: 0 })
      .option('converge-timeout', { type: 'number', default: 60, describe: 'Seconds to wait until every expected label has been seen' })
      .example("$0 check split --url http://127.0.0.1:8080/ --expect v1=80,v2=20", 'classify by the x-lab-version response header'),
  handler: async (a) => {
    const { parseExpect, runSplitCheck } = await import('../../lab/checks/split.ts');
    const report = await asUsage(() =>
      runSplitCheck({
        url: String(a.url),
        expect: parseExpect(String(a.expect)),
        classify: a.classify as string[],
        requests: a.requests as number | undefined,
        confidence: a.confidence as number,
        tolerance: a.tolerance as number,
        concurrency: a.concurrency as number,
        maxErrors: a.maxErrors as number,
        convergeTimeoutMs: (a.convergeTimeout as number) * 1000,
      }),
    );
    await emit(report, Boolean(a.json));
  },
};

const breaker: CommandModule = {
  command: 'breaker',
  describe: 'Does a circuit breaker shed load? Counts 200 / overflow 503 (x-envoy-overloaded) / other',
  builder: (y) =>
    url(y)
      .option('concurrency', { type: 'number', default: 10 })
      .option('requests', { type: 'number', default: 200 })
      .option('min-overflow', { type: 'number', default: 0.2, describe: 'Minimum share of overflow 503s, as a fraction' }),
  handler: async (a) => {
    const { runBreakerCheck } = await import('../../lab/checks/breaker.ts');
    const report = await asUsage(() =>
      runBreakerCheck({ url: String(a.url), concurrency: a.concurrency as number, requests: a.requests as number, minOverflow: a.minOverflow as number }),
    );
    await emit(report, Boolean(a.json));
  },
};

const successRate: CommandModule = {
  command: 'success-rate',
  describe: 'A steady request stream; passes if the success rate stays at or above --min',
  builder: (y) =>
    url(y)
      .option('duration', { type: 'number', default: 30, describe: 'Seconds' })
      .option('interval', { type: 'number', default: 100, describe: 'Milliseconds between requests' })
      .option('min', { type: 'number', default: 0.995, describe: 'Minimum success rate, as a fraction' }),
  handler: async (a) => {
    const { runSuccessRateCheck } = await import('../../lab/checks/success-rate.ts');
    const report = await asUsage(() =>
      runSuccessRateCheck({ url: String(a.url), durationMs: (a.duration as number) * 1000, intervalMs: a.interval as number, min: a.min as number }),
    );
    await emit(report, Boolean(a.json));
  },
};

export const checkCommand: CommandModule = {
  command: 'check <kind>',
  describe: 'Traffic assertions against any URL: split, breaker, success-rate',
  builder: (y) => y.command(split).command(breaker).command(successRate).demandCommand(1, 'Name a check: split, breaker or success-rate'),
  handler: () => {},
};
