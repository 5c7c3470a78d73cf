/**
 * ClickHouse refused these rows for what they contain: retrying cannot help, so the rows are isolated and set
 * aside (the ingester's dead-letter topic, the embedded collector's events_rejected). Any other failure
 * (connection, timeout, overload, a disk or socket that fails a read: CANNOT_READ_FROM_FILE_DESCRIPTOR and the
 * like) is retried.
 */
const DATA_ERROR =
  /^(CANNOT_PARSE|CANNOT_READ(?!_FROM_)|CANNOT_CONVERT|CANNOT_INSERT_NULL|INCORRECT_DATA|INCORRECT_JSON|TYPE_MISMATCH|ILLEGAL|VALUE_IS_OUT_OF_RANGE|ATTEMPT_TO_READ_AFTER_EOF|TOO_LARGE_STRING|DECIMAL_OVERFLOW|BAD_ARGUMENTS)/
export const isDataError = (err: unknown) => DATA_ERROR.test(String((err as { type?: unknown })?.type ?? ''))

/**
 * More rows refused than this in one batch is taken for a table that takes none (a column changed under the
 * loader), not for that many bad rows: the batch is retried rather than set aside row by row.
 */
export const MAX_REFUSED_PER_BATCH = 100

export interface Refused<T> {
  item: T
  /** ClickHouse's message */
  reason: string
}

/**
 * Loads `items`; when ClickHouse refuses them for what one of them holds, halves them until each refused item
 * stands alone, and returns those with ClickHouse's reason. Each half loads under a token derived from `token`,
 * so a run again after a crash loads the same halves under the same tokens, and ClickHouse drops the repeats.
 * Throws the first refusal when more than MAX_REFUSED_PER_BATCH items are refused, and any other error at once.
 */
export async function loadIsolating<T>(
  items: readonly T[],
  token: string,
  load: (items: readonly T[], token: string) => Promise<unknown>,
): Promise<Refused<T>[]> {
  const refused: Refused<T>[] = []
  const run = async (part: readonly T[], partToken: string): Promise<void> => {
    try {
      await load(part, partToken)
    } catch (err) {
      if (!isDataError(err)) throw err
      if (part.length === 1) {
        refused.push({ item: part[0]!, reason: (err as Error).message })
        if (refused.length > MAX_REFUSED_PER_BATCH) throw err
        return
      }
      const mid = part.length >> 1
      await run(part.slice(0, mid), `${partToken}/a`)
      await run(part.slice(mid), `${partToken}/b`)
    }
  }
  if (items.length) await run(items, token)
  return refused
}
