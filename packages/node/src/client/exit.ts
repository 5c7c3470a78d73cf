/**
 * Sending what is queued when the process is about to end. A script that makes its calls and ends, or a server
 * stopped with SIGTERM (a deploy, `docker stop`) or SIGINT (Ctrl-C), would otherwise end with its last calls unsent.
 *
 * - When nothing else is left to do (`beforeExit`), the clients send what they hold, and the process ends once it
 *   is acknowledged; their flush timer does not keep a process alive by itself.
 * - On SIGTERM or SIGINT, they send it, for at most the longest `exitTimeout` of the clients; what is still not
 *   acknowledged then goes to `onDrop`. The signal then does what it would have done: where the process has no
 *   other listener for it, it ends the process, as it would have at once. A second signal ends it at once. Where
 *   the application listens for the signal itself, ending the process stays its to do (after `close()`).
 * - `process.exit()` ends the process there and then: nothing can be sent after it. Call `close()` before it.
 */
export interface ExitFlushable {
  readonly pending: number
  readonly exitTimeoutMs: number
  flush(): Promise<void>
  /** Reports every call not yet acknowledged through onDrop: the process is ending without them. */
  abandon(reason: string): void
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const
type Signal = (typeof SIGNALS)[number]
const clients = new Set<ExitFlushable>()
let ending: Signal | undefined

function beforeExit() {
  for (const client of clients) if (client.pending > 0) void client.flush()
}

function onSignal(signal: Signal) {
  if (ending) return endWith(signal)
  ending = signal
  const held = [...clients].filter((c) => c.pending > 0)
  // the application listens too: it ends the process when it will, after close(), which this must not cut short
  if (process.listenerCount(signal) > 1) {
    for (const client of held) void client.flush()
    return
  }
  if (held.length === 0) return endWith(signal)
  const timeoutMs = Math.max(...held.map((c) => c.exitTimeoutMs))
  const deadline = setTimeout(() => {
    for (const client of held)
      client.abandon(`the process ended (${signal}) ${timeoutMs} ms before they were acknowledged`)
    // after the onDrop warnings are written
    setImmediate(() => endWith(signal))
  }, timeoutMs)
  void Promise.all(held.map((c) => c.flush())).then(() => {
    clearTimeout(deadline)
    endWith(signal)
  })
}

const listeners = Object.fromEntries(SIGNALS.map((s) => [s, () => onSignal(s)])) as Record<Signal, () => void>

/** Stops listening, and lets the signal do what it does without us: end the process, unless another listens. */
function endWith(signal: Signal) {
  unlisten()
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
}

function unlisten() {
  process.removeListener('beforeExit', beforeExit)
  for (const s of SIGNALS) process.removeListener(s, listeners[s])
}

/** Sends this client's queued calls before the process ends, until release(). */
export function flushBeforeExit(client: ExitFlushable): void {
  // a runtime without Node's process events (an edge worker) has no exit to flush before: close() it
  if (typeof process === 'undefined' || typeof process.on !== 'function') return
  if (clients.size === 0 && !ending) {
    process.on('beforeExit', beforeExit)
    for (const s of SIGNALS) process.on(s, listeners[s])
  }
  clients.add(client)
}

export function release(client: ExitFlushable): void {
  if (clients.delete(client) && clients.size === 0) unlisten()
}
