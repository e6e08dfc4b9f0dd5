import type { Disposable } from '@devflow/plugin-sdk';
import { PluginError, messageOf } from '../errors.js';

/**
 * Everything one running plugin owns: its abort signal, the registrations it made (disposed last
 * in, first out) and its in-flight work (awaited, with a bound, before disposal). A registration
 * attempted after the scope closed (e.g. by a `start` that outlived its timeout) is undone at once.
 */
export class PluginScope {
  private readonly controller = new AbortController();
  private readonly disposables: Disposable[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(readonly id: string) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True until the plugin starts stopping. */
  get active(): boolean {
    return !this.closed;
  }

  add(d: Disposable): Disposable {
    if (this.closed) {
      d.dispose();
      throw new PluginError('KRN_ERR_START_FAILED', { plugin: this.id, phase: 'start', detail: 'registration after the plugin was stopped (did start outlive its timeout?)' });
    }
    this.disposables.push(d);
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        const i = this.disposables.indexOf(d);
        if (i >= 0) this.disposables.splice(i, 1);
        d.dispose();
      },
    };
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    const forget = () => void this.inflight.delete(work);
    work.then(forget, forget);
    return work;
  }

  get pending(): number {
    return this.inflight.size;
  }

  /** Abort the signal and wait (at most timeoutMs) for in-flight work. Returns what was left. */
  async close(timeoutMs: number): Promise<number> {
    this.closed = true;
    this.controller.abort(new DOMException(`plugin "${this.id}" is stopping`, 'AbortError'));
    if (!this.inflight.size) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.inflight]), timeout]);
    clearTimeout(timer);
    return this.inflight.size;
  }

  /** Dispose every registration, newest first; errors are collected, not thrown. */
  async disposeAll(): Promise<string[]> {
    this.closed = true;
    const errors: string[] = [];
    while (this.disposables.length) {
      const d = this.disposables.pop() as Disposable;
      try {
        await (d.dispose() as unknown);
      } catch (e) {
        errors.push(messageOf(e));
      }
    }
    return errors;
  }
}
