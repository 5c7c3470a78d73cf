import { IdSet } from './id-set'

/** One hour, the shortest window the loader promises for a retried messageId. */
export const DEFAULT_DEDUPE_WINDOW_MS = 60 * 60 * 1000
/**
 * Bound on remembered ids, so memory stays flat under any load. Ids are UUIDs, kept in 16 bytes each in typed
 * arrays (id-set.ts): 48–64 MiB for 2,000,000 ids measured, the tables' free slots included.
 */
export const DEFAULT_DEDUPE_MAX_IDS = 2_000_000
const SLICES = 6

/**
 * The event ids loaded in the last `windowMs`, in time slices: a lookup checks every slice, and the oldest
 * slice is dropped whole when the window moves on (or early, when `maxIds` would be exceeded). A slice also
 * ends when it holds a sixth of `maxIds`, so a load fast enough to fill the bound within one slice's time
 * still has an old slice to drop: memory stays at the bound whatever the rate. A dropped id
 * can still collapse in the events table, whose sort key ends in event_id (ReplacingMergeTree).
 */
export class DedupeWindow {
  private slices: Array<{ start: number; ids: IdSet }> = []
  private readonly sliceMs: number
  private readonly sliceMaxIds: number
  private size = 0

  constructor(
    private readonly windowMs = DEFAULT_DEDUPE_WINDOW_MS,
    private readonly maxIds = DEFAULT_DEDUPE_MAX_IDS,
    private readonly now: () => number = Date.now,
  ) {
    this.sliceMs = Math.ceil(windowMs / SLICES)
    this.sliceMaxIds = Math.max(1, Math.ceil(maxIds / SLICES))
  }

  has(id: string): boolean {
    for (const slice of this.slices) if (slice.ids.has(id)) return true
    return false
  }

  add(id: string): void {
    this.rotate()
    const head = this.slices[this.slices.length - 1]!
    if (!head.ids.has(id)) {
      head.ids.add(id)
      this.size++
    }
    while (this.size > this.maxIds && this.slices.length > 1) this.dropOldest()
  }

  get count(): number {
    return this.size
  }

  private rotate(): void {
    const now = this.now()
    const head = this.slices[this.slices.length - 1]
    if (!head || now - head.start >= this.sliceMs || head.ids.size >= this.sliceMaxIds)
      this.slices.push({ start: now, ids: new IdSet() })
    // keep slices until the newest id in them is older than the window: SLICES + 1 slices cover windowMs
    while (this.slices.length > 0 && now - this.slices[0]!.start > this.windowMs + this.sliceMs)
      this.dropOldest()
  }

  private dropOldest(): void {
    const old = this.slices.shift()
    if (old) this.size -= old.ids.size
  }
}
