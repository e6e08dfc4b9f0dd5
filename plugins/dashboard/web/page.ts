// What a page gets from the app, and what it may give back.
import type { ActivityItem } from './lib/events.js';
import type { StreamEvent } from './live.js';
import type { Card, CardOptions } from './ui.js';

export interface PageEnv {
  readonly root: HTMLElement;
  readonly params: URLSearchParams;
  /** Aborted when the user leaves the page. */
  readonly signal: AbortSignal;
  /** Go to a same-origin path (pushes history). */
  navigate(path: string): void;
  /** Add a card to `host`, load it, and refresh it when events of its topics arrive. */
  card(host: Element, options: CardOptions): Card;
  /** The configured project roots (empty when the role may not read status). */
  projects(): Promise<readonly string[]>;
}

export interface PageHandle {
  /** Every live event, after the cards it makes stale were scheduled for refresh. */
  onEvent?(e: StreamEvent, item: ActivityItem): void;
}

export type Page = (env: PageEnv) => PageHandle | void;
