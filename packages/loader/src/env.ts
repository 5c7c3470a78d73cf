import { z } from 'zod'
import { DEFAULT_DEDUPE_MAX_IDS, DEFAULT_DEDUPE_WINDOW_MS } from './dedupe-window'
import type { LoaderOptions } from './loader'

/**
 * The dedupe window's variables, shared by every service that loads (the embedded collector, the ingester).
 * Memory grows with the window until DEDUPE_MAX_IDS ids (about 35 bytes each, UUIDs in typed arrays) and then stays
 * there.
 */
export const dedupeEnv = {
  /** How long a loaded messageId is remembered, so a retry within it is dropped before the insert. */
  DEDUPE_WINDOW_MS: z.coerce.number().int().positive().default(DEFAULT_DEDUPE_WINDOW_MS),
  /** Most ids remembered: the window's memory bound. Past it the oldest slice goes early. */
  DEDUPE_MAX_IDS: z.coerce.number().int().positive().default(DEFAULT_DEDUPE_MAX_IDS),
}

export function dedupeOptions(e: {
  DEDUPE_WINDOW_MS: number
  DEDUPE_MAX_IDS: number
}): Pick<LoaderOptions, 'dedupeWindowMs' | 'dedupeMaxIds'> {
  return { dedupeWindowMs: e.DEDUPE_WINDOW_MS, dedupeMaxIds: e.DEDUPE_MAX_IDS }
}
