/** Slots of a new table; it doubles whenever it would be more than three quarters full. */
const INITIAL_SLOTS = 1024
const WORDS = 4

/**
 * The id last read, as four 32-bit words, shared by every set of the thread: the dedupe window looks one id up in
 * each of its slices, and reads it once.
 */
const key = new Uint32Array(WORDS)
let keyId: string | undefined
let keyIsUuid = false

/**
 * A set of ids that keeps UUIDs (the form of every event and rejected id) as 16 bytes each in one typed array,
 * an open-addressing table with linear probing. A `Set<string>` of the same ids costs about 88 bytes an id in
 * the JS heap, and the garbage collector traces every one of them on each full collection; the dedupe window
 * holds up to 2,000,000 of them (docs/performance.md, "Memory: the dedupe window"). Membership is exact: the
 * whole 128 bits are compared. UUIDs are compared as the values they spell, so upper and lower case are one id,
 * as in ClickHouse's UUID columns. Anything else (and the all-zero UUID, which marks an empty slot) is kept in
 * a plain Set.
 */
export class IdSet {
  private table = new Uint32Array(INITIAL_SLOTS * WORDS)
  private mask = INITIAL_SLOTS - 1
  private uuids = 0
  private readonly others = new Set<string>()

  get size(): number {
    return this.uuids + this.others.size
  }

  has(id: string): boolean {
    if (!readKey(id)) return this.others.has(id)
    return find(this.table, this.mask, key[0]!, key[1]!, key[2]!, key[3]!) >= 0
  }

  add(id: string): void {
    if (!readKey(id)) {
      this.others.add(id)
      return
    }
    let slot = find(this.table, this.mask, key[0]!, key[1]!, key[2]!, key[3]!)
    if (slot >= 0) return
    if ((this.uuids + 1) * 4 > (this.mask + 1) * 3) {
      this.grow()
      slot = find(this.table, this.mask, key[0]!, key[1]!, key[2]!, key[3]!)
    }
    this.table.set(key, ~slot * WORDS)
    this.uuids++
  }

  private grow(): void {
    const old = this.table
    const slots = (this.mask + 1) * 2
    const table = new Uint32Array(slots * WORDS)
    const mask = slots - 1
    for (let i = 0; i < old.length; i += WORDS) {
      const a = old[i]!
      const b = old[i + 1]!
      const c = old[i + 2]!
      const d = old[i + 3]!
      if ((a | b | c | d) === 0) continue
      table.set(old.subarray(i, i + WORDS), ~find(table, mask, a, b, c, d) * WORDS)
    }
    this.table = table
    this.mask = mask
  }
}

/** The slot of `table` holding the id a-b-c-d, or ~slot of the empty slot where it would go. */
function find(table: Uint32Array, mask: number, a: number, b: number, c: number, d: number): number {
  // a UUID's bits are random (v4) or a hash (v8) outside its version and variant, which sit in b and c
  let slot = (a ^ d) & mask
  for (;;) {
    const i = slot * WORDS
    const w0 = table[i]!
    const w1 = table[i + 1]!
    const w2 = table[i + 2]!
    const w3 = table[i + 3]!
    if (w0 === a && w1 === b && w2 === c && w3 === d) return slot
    if ((w0 | w1 | w2 | w3) === 0) return ~slot
    slot = (slot + 1) & mask
  }
}

/** Reads a UUID (8-4-4-4-12 hex digits) into `key`; false for anything else and for the all-zero UUID. */
function readKey(id: string): boolean {
  if (id === keyId) return keyIsUuid
  keyId = id
  keyIsUuid = parseUuid(id)
  return keyIsUuid
}

function parseUuid(id: string): boolean {
  if (id.length !== 36) return false
  let word = 0
  let value = 0
  let digits = 0
  for (let i = 0; i < 36; i++) {
    const ch = id.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (ch !== 45) return false // '-'
      continue
    }
    const v = hexValue(ch)
    if (v < 0) return false
    value = value * 16 + v
    if (++digits === 8) {
      key[word++] = value
      value = 0
      digits = 0
    }
  }
  return (key[0]! | key[1]! | key[2]! | key[3]!) !== 0
}

function hexValue(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48 // 0-9
  const lower = ch | 32
  if (lower >= 97 && lower <= 102) return lower - 87 // a-f, A-F
  return -1
}
