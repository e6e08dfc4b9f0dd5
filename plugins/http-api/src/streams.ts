import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StoredEvent } from '@devflow/plugin-sdk';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Feed } from './feed.js';
import { matcher, type EventFilter } from './filter.js';
import { SECURITY_HEADERS } from './http-io.js';

export interface StreamOptions {
  maxBufferedBytes: number;
  maxClients: number;
  pingMs: number;
}

/** Told when a client is cut off for not reading. */
export type OnDrop = (transport: 'ws' | 'sse', detail: { buffered: number; principal: string }) => void;

const GRACE_MS = 1000;

/**
 * The live streams: WebSocket (`ws` in noServer mode, attached on the HTTP server's upgrade) and
 * Server-Sent Events. Both are fed by the Feed and bounded the same way: a client with more than
 * maxBufferedBytes waiting to be sent is disconnected (WebSocket close 1008 with a reason, SSE
 * response ended), so one client that never reads cannot make the server hold unbounded memory.
 */
export class Streams {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false, clientTracking: false });
  private readonly sockets = new Set<WebSocket>();
  /** Each SSE response with its keep-alive writer. */
  private readonly sse = new Map<ServerResponse, () => void>();
  private readonly pinger: NodeJS.Timeout;
  private readonly alive = new WeakSet<WebSocket>();

  constructor(
    private readonly feed: Feed,
    private readonly options: StreamOptions,
    private readonly onDrop: OnDrop,
  ) {
    this.pinger = setInterval(() => this.ping(), options.pingMs);
    this.pinger.unref();
  }

  /** Room for one more client? */
  get full(): boolean {
    return this.sockets.size + this.sse.size >= this.options.maxClients;
  }

  get clients(): { ws: number; sse: number } {
    return { ws: this.sockets.size, sse: this.sse.size };
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, filter: EventFilter, principal: string): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attachWs(ws, filter, principal));
  }

  private attachWs(ws: WebSocket, filter: EventFilter, principal: string): void {
    this.sockets.add(ws);
    this.alive.add(ws);
    const max = this.options.maxBufferedBytes;
    let dropped = false;
    const unsubscribe = this.feed.subscribe({
      match: matcher(filter),
      send: (json: string) => {
        if (dropped || ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > max) {
          dropped = true;
          unsubscribe();
          this.onDrop('ws', { buffered: ws.bufferedAmount, principal });
          ws.close(1008, `client too slow: more than ${max} bytes unread`);
          setTimeout(() => ws.terminate(), GRACE_MS).unref();
          return;
        }
        ws.send(json);
      },
    });
    ws.on('pong', () => this.alive.add(ws));
    ws.on('message', () => {}); // the stream is one-way; messages are ignored
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      unsubscribe();
      this.sockets.delete(ws);
    });
  }

  serveSse(req: IncomingMessage, res: ServerResponse, filter: EventFilter, principal: string, headers: Record<string, string>): void {
    const max = this.options.maxBufferedBytes;
    res.writeHead(200, { ...SECURITY_HEADERS, ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n: connected\n\n');
    let dropped = false;
    const write = (chunk: string) => {
      if (dropped || res.destroyed) return;
      if (!res.write(chunk) && res.writableLength > max) {
        dropped = true;
        done();
        this.onDrop('sse', { buffered: res.writableLength, principal });
        res.destroy();
      }
    };
    const unsubscribe = this.feed.subscribe({ match: matcher(filter), send: (json: string, e: StoredEvent) => write(`id: ${e.seq}\ndata: ${json}\n\n`) });
    this.sse.set(res, () => write(': ping\n\n'));
    const done = () => {
      unsubscribe();
      this.sse.delete(res);
    };
    res.on('close', done);
    req.on('close', done);
  }

  private ping(): void {
    for (const ws of this.sockets) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
    for (const ping of this.sse.values()) ping();
  }

  /** Close every stream (server stopping). */
  close(): void {
    clearInterval(this.pinger);
    for (const ws of this.sockets) {
      ws.close(1001, 'server stopping');
      setTimeout(() => ws.terminate(), GRACE_MS).unref();
    }
    for (const res of this.sse.keys()) res.end();
    this.sse.clear();
    this.wss.close();
  }
}
