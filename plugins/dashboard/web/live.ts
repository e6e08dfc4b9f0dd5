// The live event stream: one WebSocket to /api/v1/stream, reconnected with backoff, its state
// shown by the connection indicator. Each message is one stored event.
import { backoffMs } from './lib/live-logic.js';

export type LiveState = 'connecting' | 'live' | 'offline';

export interface StreamEvent {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly source?: string;
  readonly project: string | null;
  readonly ts: number;
  readonly severity: string;
  readonly data: unknown;
}

export interface LiveOptions {
  onEvent(e: StreamEvent): void;
  onState(state: LiveState, detail: string): void;
  /** Called after a reconnect: events may have been missed while offline. */
  onResync(): void;
}

export class LiveStream {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private everOpen = false;

  constructor(private readonly o: LiveOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close(1000);
    this.ws = null;
  }

  private connect(): void {
    this.o.onState('connecting', 'connecting to the live stream…');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.o.onState('live', 'live: updates arrive as they happen');
      if (this.everOpen) this.o.onResync();
      this.everOpen = true;
    };
    ws.onmessage = (m) => {
      if (typeof m.data !== 'string') return;
      let e: unknown;
      try {
        e = JSON.parse(m.data);
      } catch {
        return;
      }
      if (e && typeof e === 'object' && typeof (e as StreamEvent).type === 'string' && typeof (e as StreamEvent).seq === 'number') this.o.onEvent(e as StreamEvent);
    };
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      if (!this.stopped) this.retry();
    };
  }

  private retry(): void {
    const delay = backoffMs(this.attempt++, Math.random());
    this.o.onState('offline', `offline: retrying in ${Math.ceil(delay / 1000)} s`);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
