// Stand-in for Jaeger v2's query API — only what the exercise calls: GET /api/traces/{traceID},
// answered in the UI's JSON model ({data: [{traceID, spans, processes}]}) with the spans of a
// FakeTelemetry visible at query time, or 404 {"errors":[{"code":404,"msg":"trace not found"}]}
// as jaeger's http_handler.go answers a trace it does not have.
import type { FakeTelemetry } from './fake-telemetry.ts';
import { json, startFake, type FakeServer } from './fake-http.ts';

export async function startFakeJaeger(tel: FakeTelemetry): Promise<FakeServer> {
  return startFake((_req, url, res) => {
    const m = /^\/api\/traces\/([^/]+)$/.exec(url.pathname);
    if (!m) return void res.writeHead(404).end('404 page not found\n');
    const id = m[1].toLowerCase();
    if (!/^[0-9a-f]{1,32}$/.test(id)) return void json(res, 400, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: `strconv.ParseUint: parsing "${id}": invalid syntax` }] });
    const now = Date.now();
    const spans = tel.spans.filter((s) => s.traceId === id.padStart(32, '0') && s.visibleAt <= now);
    if (spans.length === 0) return void json(res, 404, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
    const services = [...new Set(spans.map((s) => s.service))];
    const pid = (svc: string) => `p${services.indexOf(svc) + 1}`;
    // Jaeger prints a 128-bit id without the high half's leading zeros.
    const shown = id.replace(/^0+/, '');
    json(res, 200, {
      data: [{
        traceID: shown,
        spans: spans.map((s) => ({
          traceID: shown, spanID: s.spanId, operationName: s.operationName, startTime: s.startUs, duration: 250, tags: [], logs: [],
          references: [{ refType: 'CHILD_OF', traceID: shown, spanID: s.parentSpanId }], processID: pid(s.service), warnings: null,
        })),
        processes: Object.fromEntries(services.map((svc) => [pid(svc), { serviceName: svc, tags: [] }])),
        warnings: null,
      }],
      total: 0, limit: 0, offset: 0, errors: null,
    });
  });
}
