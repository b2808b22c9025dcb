// A tiny HTTP server on 127.0.0.1 for the stand-in query APIs, with a switch to make every answer
// an error (a backend that is up but failing).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeServer {
  url: string;
  /** Queries answered (any status). */
  requests: string[];
  /** When set, every request is answered with this status and body. */
  failWith?: { status: number; body: string };
  stop(): Promise<void>;
}

export async function startFake(handle: (req: IncomingMessage, url: URL, res: ServerResponse) => void): Promise<FakeServer> {
  const fake: FakeServer = { url: '', requests: [], stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    fake.requests.push(`${url.pathname}${url.search}`);
    if (fake.failWith) {
      res.writeHead(fake.failWith.status, { 'content-type': 'text/plain' }).end(fake.failWith.body);
      return;
    }
    handle(req, url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.stop = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return fake;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
