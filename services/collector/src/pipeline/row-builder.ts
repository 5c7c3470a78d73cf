import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'

type Reply = { seq: number; body?: Uint8Array; error?: string }

/**
 * Run from source (tsx, as the Dockerfile does, or vitest), the worker is TypeScript. Node 20 does not carry the
 * main thread's module hooks into a worker, so the worker loads tsx itself before it imports the module.
 */
function fromSourceBootstrap(): string {
  // tsx's ESM API, beside the loader that `node --import tsx` loads (resolving the API itself gives its CJS build)
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
  /** jobs sent and not answered, with the thread each went to */
  private readonly waiting = new Map<
    number,
    { worker: Worker; resolve: (body: Uint8Array) => void; reject: (e: Error) => void }
  >()
  private worker: Worker | undefined

  constructor() {
    this.worker = this.spawn()
  }

  /**
   * A new thread. One that dies fails the jobs it held (the pipeline retries them, backing off) and is replaced
   * by the next build, so a thread that cannot start is retried at the pipeline's pace, not in a tight loop.
   */
  private spawn(): Worker {
    const worker = import.meta.url.endsWith('.ts')
      ? new Worker(fromSourceBootstrap(), { eval: true })
      : new Worker(new URL('./row-worker.js', import.meta.url))
    worker.on('message', (reply: Reply) => {
      const job = this.waiting.get(reply.seq)
      if (!job) return
      this.waiting.delete(reply.seq)
      if (this.waiting.size === 0) worker.unref()
      if (reply.body) job.resolve(reply.body)
      else job.reject(new Error(`building rows failed: ${reply.error}`))
    })
    worker.on('error', (err) => this.failAll(worker, err))
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined
      this.failAll(worker, new Error(`the row builder's thread exited (${code})`))
    })
    worker.unref()
    return worker
  }

  /**
   * The `events` rows of event inputs' payloads (RECORD_KIND.eventInput), in order, as JSONEachRow lines encoded
   * as UTF-8: what the loader inserts (BuildRows).
   */
  build(payloads: string[]): Promise<Uint8Array> {
    const seq = ++this.seq
    this.worker ??= this.spawn()
    const worker = this.worker
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiting.set(seq, { worker, resolve, reject })
      // an idle thread does not keep the process alive; one with a job in hand does, until it answers
      worker.ref()
      worker.postMessage({ seq, payloads })
    })
  }

  private failAll(worker: Worker, err: Error) {
    for (const [seq, job] of this.waiting)
      if (job.worker === worker) {
        this.waiting.delete(seq)
        job.reject(err)
      }
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    await worker?.terminate()
  }
}
