// Stand-in for Loki's query API — only what the exercise calls: GET /loki/api/v1/query_range with
// a log query made of a stream selector (=, !=, =~, !~ matchers) and `|=` line filters, start/end
// in Unix nanoseconds, limit and direction. Anything else it does not parse is a 400 with a text
// body, as Loki answers a parse error. It serves the lines of a FakeTelemetry visible at query time.
import type { FakeTelemetry, LogEntry } from './fake-telemetry.ts';
import { json, startFake, type FakeServer } from './fake-http.ts';

type Matcher = { label: string; op: '=' | '!=' | '=~' | '!~'; value: string };

export function parseLogQuery(q: string): { matchers: Matcher[]; contains: string[] } {
  const m = /^\s*\{([^}]*)\}(.*)$/s.exec(q);
  if (!m) throw new Error(`parse error at line 1, col 1: syntax error: unexpected input, expecting {`);
  const matchers: Matcher[] = [];
  for (const part of m[1].split(',').map((p) => p.trim()).filter(Boolean)) {
    const mm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"$/.exec(part);
    if (!mm) throw new Error(`parse error: bad matcher ${JSON.stringify(part)}`);
    matchers.push({ label: mm[1], op: mm[2] as Matcher['op'], value: mm[3] });
  }
  if (matchers.length === 0) throw new Error('parse error: queries require at least one regexp or equality matcher');
  const contains: string[] = [];
  let rest = m[2].trim();
  while (rest) {
    const f = /^\|=\s*"((?:[^"\\]|\\.)*)"\s*/.exec(rest);
    if (!f) throw new Error(`parse error: the stand-in only knows |= line filters, got ${JSON.stringify(rest)}`);
    contains.push(f[1]);
    rest = rest.slice(f[0].length);
  }
  return { matchers, contains };
}

function matches(labels: Record<string, string>, m: Matcher): boolean {
  const v = labels[m.label] ?? '';
  if (m.op === '=') return v === m.value;
  if (m.op === '!=') return v !== m.value;
  const re = new RegExp(`^(?:${m.value})$`);
  return m.op === '=~' ? re.test(v) : !re.test(v);
}

export async function startFakeLoki(tel: FakeTelemetry): Promise<FakeServer> {
  return startFake((_req, url, res) => {
    if (url.pathname !== '/loki/api/v1/query_range') return void res.writeHead(404).end('404 page not found\n');
    const p = url.searchParams;
    let q;
    try {
      q = parseLogQuery(p.get('query') ?? '');
    } catch (err) {
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
    }
    const start = BigInt(p.get('start') ?? '0');
    const end = BigInt(p.get('end') ?? `${BigInt(Date.now()) * 1_000_000n}`);
    const limit = Number(p.get('limit') ?? 100);
    if (!(limit > 0 && limit <= 5000)) return void res.writeHead(400).end(`max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > 5000)`);
    const now = Date.now();
    const hits = tel.logs.filter((e) => e.visibleAt <= now && q.matchers.every((m) => matches(e.labels, m)) && q.contains.every((c) => e.line.includes(c)))
      .filter((e) => { const ns = BigInt(e.tsMs) * 1_000_000n; return ns >= start && ns <= end; })
      .sort((a, b) => (p.get('direction') === 'forward' ? a.tsMs - b.tsMs : b.tsMs - a.tsMs))
      .slice(0, limit);
    const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
    for (const e of hits as LogEntry[]) {
      const k = JSON.stringify(e.labels);
      if (!streams.has(k)) streams.set(k, { stream: e.labels, values: [] });
      streams.get(k)!.values.push([`${BigInt(e.tsMs) * 1_000_000n}`, e.line]);
    }
    json(res, 200, { status: 'success', data: { resultType: 'streams', result: [...streams.values()], stats: {} } });
  });
}
