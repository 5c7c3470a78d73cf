interface Window {
  count: number
  startedAt: number
}

/**
 * Counts hits per key in fixed windows that start at a key's first hit, as @fastify/rate-limit's local store
 * did, in a Map kept to `maxKeys` entries by forgetting the window that started first. That window is the
 * nearest its end, and forgetting a count can only let a request through that would have been refused, never
 * refuse one that should pass.
 */
export class WindowCounter {
  /** in the order the windows started (a key is re-inserted when a new window starts) */
  private readonly windows = new Map<string, Window>()

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys = 5000,
  ) {}

  /** Counts one hit of `key`; returns the count in its window and the milliseconds until the window ends. */
  hit(key: string, now = Date.now()): { count: number; remainingMs: number } {
    let w = this.windows.get(key)
    if (w === undefined || now - w.startedAt >= this.windowMs) {
      if (w !== undefined) this.windows.delete(key)
      w = { count: 0, startedAt: now }
      this.windows.set(key, w)
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value as string)
    }
    w.count++
    return { count: w.count, remainingMs: w.startedAt + this.windowMs - now }
  }
}
