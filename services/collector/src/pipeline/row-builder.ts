import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { RECORD_KIND } from '@touchpoint/loader'
import type { SpoolRecord } from '../spool/codec'

type Reply = { seq: number; rows?: string[]; error?: string }

/**
 * Run from source (tsx, as the Dockerfile does, or vitest), the worker is TypeScript. Node 20 does not carry the
 * main thread's module hooks into a worker, so the worker loads tsx itself before it imports the module.
 */
function fromSourceBootstrap(): string {
  // tsx's ESM API, found beside the loader that `node --import tsx` loads (the package maps it for require to CJS)
  const loader = createRequire(import.meta.url).resolve('tsx')
  const api = pathToFileURL(join(dirname(loader), 'esm', 'api', 'index.mjs')).href
  const worker = new URL('./row-worker.ts', import.meta.url).href
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}) })`
}

/**
 * Builds the `events` rows of spooled event inputs in a worker thread, so that the request path only validates,
 * spools and answers (docs/performance.md: building and serialising rows cost the HTTP thread 34 µs a single
 * event). The rows are built after the acknowledgement, from what was spooled: the event's call, its request's
 * facts and its id, so a replay after a crash builds the same rows and the loader's dedupe sees the same ids.
 */
export class RowBuilder {
  private seq = 0
  private readonly waiting = new Map<
    number,
    { resolve: (rows: string[]) => void; reject: (e: Error) => void }
  >()
  private worker: Worker
  private closed = false

  constructor() {
    this.worker = this.spawn()
  }

  /** A new thread; one that dies fails the jobs it held (the loader retries them) and is replaced. */
  private spawn(): Worker {
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(fromSourceBootstrap(), { eval: true })
      : new Worker(new URL('./row-worker.js', import.meta.url))
    worker.on('message', (reply: Reply) => {
      const job = this.waiting.get(reply.seq)
      if (!job) return
      this.waiting.delete(reply.seq)
      if (reply.rows) job.resolve(reply.rows)
      else job.reject(new Error(`building rows failed: ${reply.error}`))
    })
    worker.on('error', (err) => this.failAll(err))
    worker.on('exit', (code) => {
      this.failAll(new Error(`the row builder's thread exited (${code})`))
      if (!this.closed) this.worker = this.spawn()
    })
    worker.unref()
    return worker
  }

  /** The records with every event input replaced by its event row; the others as they are. */
  async build(records: SpoolRecord[]): Promise<SpoolRecord[]> {
    const payloads: string[] = []
    for (const r of records) if (r.kind === RECORD_KIND.eventInput) payloads.push(r.payload)
    if (payloads.length === 0) return records
    const seq = ++this.seq
    const rows = await new Promise<string[]>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject })
      this.worker.postMessage({ seq, payloads })
    })
    let i = 0
    return records.map((r) =>
      r.kind === RECORD_KIND.eventInput ? { ...r, kind: RECORD_KIND.event, payload: rows[i++] as string } : r,
    )
  }

  private failAll(err: Error) {
    for (const job of this.waiting.values()) job.reject(err)
    this.waiting.clear()
  }

  async close(): Promise<void> {
    this.closed = true
    await this.worker.terminate()
  }
}
