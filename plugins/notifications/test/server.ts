// A local HTTP server standing in for a webhook receiver or Slack's incoming webhook: answers from
// a script of responses and records every request.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}
export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Answer this late (a receiver that hangs). */
  delayMs?: number;
}

export async function startReceiver(t: { after(fn: () => unknown): void }, script: Reply[] = []) {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        /* not JSON */
      }
      received.push({ path: req.url ?? '', headers: req.headers, body, json });
      const r = script.shift() ?? { status: 200, body: 'ok' };
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
        res.end(r.body ?? '');
      };
      if (r.delayMs) setTimeout(answer, r.delayMs).unref();
      else answer();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    script,
    /** Resolve once `n` requests arrived (fails after 3 s). */
    async waitFor(n: number): Promise<Received[]> {
      const deadline = Date.now() + 3000;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} request(s), got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return received;
    },
  };
}
