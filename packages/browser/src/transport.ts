import type { Store } from './storage'

/**
 * Delivery: a batch goes by fetch (keepalive) while the page lives and by sendBeacon when it is leaving (unless the
 * last send failed: then to the outbox). A failed batch joins a bounded outbox in localStorage and is retried with
 * backoff, 20 events at a time, when the browser is back online and on the next page load. Each event keeps its
 * messageId, so a retry the collector already has counts once.
 */
const OUTBOX = 'tp_out'
const MAX_OUTBOX = 200

export function transport(url: string, key: string, store: Store) {
  let backoff = 0
  let timer: ReturnType<typeof setTimeout> | 0 = 0
  const body = (batch: object[]) => JSON.stringify({ writeKey: key, sentAt: new Date().toISOString(), batch })
  const outbox = (): object[] => {
    try {
      return JSON.parse(store.get(OUTBOX) as string) || [] // none: JSON.parse(null) is null
    } catch {
      return []
    }
  }
  const keep = (batch: object[]) => {
    store.set(OUTBOX, JSON.stringify(outbox().concat(batch).slice(-MAX_OUTBOX)))
    if (!timer) timer = setTimeout(retry, 1000 * 2 ** Math.min(backoff++, 6))
  }
  const post = (batch: object[]) =>
    // a string body goes as text/plain, as a beacon's does: a simple request, with no CORS preflight
    fetch(url, { method: 'POST', body: body(batch), keepalive: true }).then((r) => {
      // 4xx other than 408 and 429: the collector has refused and kept them; sending again would not help. A
      // failed fetch rejects as it is; each caller keeps the batch either way. `% 21 == 9` picks 408 and 429 out
      // of what a collector or its proxy answers (no other 4xx it sends gives 9), in fewer bytes than naming both
      if (r.status > 499 || r.status % 21 === 9) throw 0
      backoff = 0
    })
  // The outbox goes 20 events at a time (as the page's own batches), one part after another: a browser refuses a
  // keepalive fetch over 64 KiB, so an outbox sent whole, once over it (about a hundred events), was never
  // delivered. Each part keeps the rest in the outbox until it is through
  const retry = () => {
    timer = 0
    const all = outbox()
    const batch = all.splice(0, 20)
    if (!batch.length) return
    all.length ? store.set(OUTBOX, JSON.stringify(all)) : store.del(OUTBOX)
    post(batch).then(retry, () => keep(batch))
  }
  addEventListener('online', retry)
  return {
    send(batch: object[], leaving?: boolean) {
      if (!batch.length) return
      // a leaving page cannot wait for an answer: the beacon is queued by the browser and outlives the page. It
      // cannot say whether it arrived either: while the collector is failing, the outbox keeps the batch instead
      if (leaving && backoff) return keep(batch)
      if (leaving && navigator.sendBeacon?.(url, body(batch))) return
      post(batch).catch(() => keep(batch))
    },
    retry,
    clear: () => store.del(OUTBOX),
  }
}
