import type { Store } from './storage'

/**
 * Delivery: a batch goes by fetch (keepalive, when it may) while the page lives and by sendBeacon when it is
 * leaving (unless the last send failed or the browser refuses the beacon: then to the outbox). A failed batch joins
 * a bounded outbox in localStorage and is retried with backoff, 20 events at a time, when the browser is back online
 * and on the next page load. Each event keeps its messageId, so a retry the collector already has counts once.
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
    if (!timer) timer = setTimeout(retry, 2 ** Math.min(backoff++, 6) * 1000)
  }
  // A string body goes as text/plain, as a beacon's does: a simple request, with no CORS preflight. A browser
  // refuses a keepalive fetch over 64 KiB: a body over 60,000 bytes goes as a plain fetch, which the page must
  // outlive. Twenty events of 3.5 kB went by keepalive, were refused, went to the outbox and were refused there at
  // every try, twenty at a time: they were never delivered
  // async: a batch that cannot be written as JSON (a cycle in a call's properties) rejects, as a failed fetch does,
  // rather than throw from where it was sent, which can be the app's own pushState (a navigation sends)
  const post = async (batch: object[], b = body(batch)) =>
    fetch(url, { method: 'POST', body: b, keepalive: 6e4 > new Blob([b]).size }).then((r) => {
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
    all.length ? store.set(OUTBOX, JSON.stringify(all)) : store.delete(OUTBOX)
    post(batch).then(retry, () => keep(batch))
  }
  addEventListener('online', retry)
  return {
    send(batch: object[], leaving?: boolean) {
      if (!batch.length) return
      // a leaving page cannot wait for an answer: the beacon is queued by the browser and outlives the page. It
      // cannot say whether it arrived either: while the collector is failing, the outbox keeps the batch instead
      // A beacon the browser refuses (over 64 KiB, with what is still on its way) goes to the outbox too, for this
      // page's retry or the next page's. It went by plain fetch before, which the page's end could cancel
      if (leaving && (backoff || !navigator.sendBeacon(url, body(batch)))) return keep(batch)
      post(batch).catch(() => keep(batch))
    },
    retry,
    clear: () => store.delete(OUTBOX),
  }
}
