// Decisions of the live connection, apart from the socket: reconnect delays and which cards an
// event makes stale. Pure.
import { matchesType } from './events.js';

/** Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling to 15 s, ±20 % jitter from `rand` (0..1). */
export function backoffMs(attempt: number, rand = 0.5): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, Math.min(attempt, 10)));
  return Math.round(base * (0.8 + 0.4 * Math.min(1, Math.max(0, rand))));
}

/** A card that refreshes when events of its types arrive. */
export interface Topic {
  readonly id: string;
  readonly types: readonly string[];
}

/** The ids of the cards an event makes stale. */
export function staleCards(type: string, topics: readonly Topic[]): string[] {
  return topics.filter((t) => t.types.length && matchesType(type, t.types)).map((t) => t.id);
}

/** The monitors whose events change today's numbers. */
export const MONITOR_TYPES: readonly string[] = ['file-monitor.*', 'git-monitor.*', 'test-monitor.*', 'ai-monitor.*'];
