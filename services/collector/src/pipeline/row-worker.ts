import { parentPort } from 'node:worker_threads'
import { buildEventRow } from '../ingest/process'

/** The row builder's thread: event inputs' payloads in, their `events` rows (JSONEachRow lines) out, in order. */
parentPort?.on('message', (job: { seq: number; payloads: string[] }) => {
  try {
    parentPort?.postMessage({ seq: job.seq, rows: job.payloads.map(buildEventRow) })
  } catch (err) {
    parentPort?.postMessage({ seq: job.seq, error: (err as Error).message })
  }
})
