/** One queued call, serialised once when it is queued. */
export interface Queued {
  message: Record<string, unknown>
  json: string
  /** UTF-8 bytes of json */
  bytes: number
}

/**
 * A FIFO of serialised calls with an O(1) take from the front (an array with a moving head, compacted now and
 * then), bounded by `capacity`.
 */
export class MessageQueue {
  private items: Queued[] = []
  private head = 0

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head
  }

  /** The sequence number of the call at the front, when calls carry one. */
  peekSeq(): number | undefined {
    return (this.items[this.head] as { seq?: number } | undefined)?.seq
  }

  /** false when full: the caller decides what to tell its user. */
  push(item: Queued): boolean {
    if (this.length >= this.capacity) return false
    this.items.push(item)
    return true
  }

  /** Takes up to `maxCount` calls whose JSON fits in `maxBytes` together (at least one, whatever its size). */
  take(maxCount: number, maxBytes: number): Queued[] {
    const out: Queued[] = []
    let bytes = 0
    while (this.head < this.items.length && out.length < maxCount) {
      const next = this.items[this.head]!
      const size = next.bytes + 1
      if (out.length > 0 && bytes + size > maxBytes) break
      out.push(next)
      bytes += size
      this.head++
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return out
  }
}
