/**
 * The live loop: refresh every interval (or at once on `r`), redraw on keys and resizes, and leave
 * the terminal as it was on every way out — quit keys, signals, and errors thrown while drawing.
 */
import { messageOf } from '../errors.js';
import { VIEWS, type DashboardState, type View } from './model.js';
import { renderFrame } from './render.js';
import { decodeKeys, type Action, type Screen } from './screen.js';

export interface LiveOptions {
  readonly screen: Screen;
  readonly view: View;
  readonly intervalMs: number;
  /** A fresh state; `force` asks the analyzers again even when nothing changed. */
  collect(force: boolean): Promise<DashboardState>;
  /** Ctrl-Z: give the terminal back and stop the process until it is continued. */
  suspend?(): void;
  readonly tz?: 'local' | 'utc';
}

export class LiveDashboard {
  private view: View;
  private state: DashboardState | null = null;
  private message: string | undefined;
  private stopped = false;
  private forceNext = true;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: LiveOptions) {
    this.view = o.view;
  }

  get currentView(): View {
    return this.view;
  }

  /** Runs until `quit()`; the terminal is restored before it settles, also when it rejects. */
  async run(): Promise<void> {
    const { screen } = this.o;
    screen.enter();
    try {
      this.redraw();
      while (!this.stopped) {
        const force = this.forceNext;
        this.forceNext = false;
        try {
          this.state = await this.o.collect(force);
          this.message = undefined;
        } catch (e) {
          // The database may be busy or gone for a moment: say so and keep trying.
          this.message = `could not refresh: ${messageOf(e)}`;
        }
        if (this.stopped) break;
        this.redraw();
        await this.sleep();
      }
    } finally {
      clearTimeout(this.timer);
      screen.leave();
    }
  }

  /** Raw key input. */
  keys(chunk: string): void {
    for (const a of decodeKeys(chunk)) this.act(a);
  }

  act(a: Action): void {
    if (a.kind === 'quit') return this.quit();
    if (a.kind === 'refresh') {
      this.forceNext = true;
      this.wake?.();
    } else if (a.kind === 'suspend') this.o.suspend?.();
    else {
      const i = VIEWS.indexOf(this.view);
      this.view = a.kind === 'view' ? a.view : (VIEWS[(i + a.step + VIEWS.length) % VIEWS.length] as View);
      this.redraw();
    }
  }

  quit(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Draw the last state at the terminal's current size (also on resize and after a view switch). */
  redraw = (): void => {
    const { screen } = this.o;
    if (!screen.entered) return;
    const { width, height } = screen.size();
    screen.draw(renderFrame(this.state, { view: this.view, width, height, live: true, intervalMs: this.o.intervalMs, tz: this.o.tz }, this.message));
  };

  private sleep(): Promise<void> {
    if (this.stopped || this.forceNext) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = () => {
        clearTimeout(this.timer);
        this.wake = undefined;
        resolve();
      };
      this.timer = setTimeout(this.wake, this.o.intervalMs);
    });
  }
}
