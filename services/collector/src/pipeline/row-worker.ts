import { parentPort } from 'node:worker_threads'
import { buildEventRow } from '../ingest/process'

const utf8 = new TextEncoder()

/**
 * The row builder's thread: event inputs' payloads in; their `events` rows out, in order, as JSONEachRow lines
 * encoded as UTF-8 (the bytes handed over, not copied), so the main thread has nothing left to join or encode.
 */
parentPort?.on('message', (job: { seq: number; payloads: string[] }) => {
  try {
    const body = utf8.encode(job.payloads.map(buildEventRow).join('\n'))
    parentPort?.postMessage({ seq: job.seq, body }, [body.buffer])
  } catch (err) {
    parentPort?.postMessage({ seq: job.seq, error: (err as Error).message })
  }
})
