export { DEFAULT_DEDUPE_MAX_IDS, DEFAULT_DEDUPE_WINDOW_MS, DedupeWindow } from './dedupe-window'
export { dedupeEnv, dedupeOptions } from './env'
export { type BuildRows, Loader, type LoaderOptions, type LoadResult } from './loader'
export { isRecordKind, type LoadRecord, RECORD_KIND, type RecordKind } from './record'
