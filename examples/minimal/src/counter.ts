/** Domain logic, no kernel imports: counts events by type. */
export class EventCounter {
  private readonly counts = new Map<string, number>();

  add(type: string): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }

  /** The `limit` most frequent types, most frequent first (ties by name). */
  top(limit: number): { type: string; count: number }[] {
    return [...this.counts]
      .map(([type, count]) => ({ type, count }))
      .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type))
      .slice(0, limit);
  }
}
