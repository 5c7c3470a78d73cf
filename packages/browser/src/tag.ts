import { createTracker } from './core'
import type { Tracker, TrackerOptions } from './types'

/**
 * The script-tag entry (tp.js):
 *   <script defer src="https://collect.example.com/tp.js" data-key="WRITE_KEY"></script>
 * It sends to the collector it came from: the URL tp.js was loaded from, less its file name (data-api otherwise).
 * Options are data attributes: data-api, data-consent="required", data-cookieless, data-respect-dnt,
 * data-cookie-domain, data-domains="a.com,b.com", data-hash. Calls queued by the snippet (window.tp.q) replay.
 */
type Stub = { q?: [keyof Tracker, ...unknown[]][] }
const w = window as unknown as { tp?: Stub | Tracker }
// tp.js's own tag, whose data attributes hold its key: without it (a tag in a shadow root has none) tp.js has no key
// to send with, and stops here
const el = document.currentScript as HTMLScriptElement
const d = el.dataset
const flag = (v: string | undefined) => v != null && v !== 'false'
const queued = (w.tp as Stub | undefined)?.q ?? []
const tp = createTracker({
  key: d.key ?? '',
  // next to tp.js: the collector's root, or the path a site proxies it under (/tp/tp.js sends to /tp/v1/batch)
  api: d.api ?? new URL('.', el.src).href,
  consent: d.consent as TrackerOptions['consent'], // anything but 'required' is granted
  cookieless: flag(d.cookieless),
  respectDnt: flag(d.respectDnt),
  cookieDomain: d.cookieDomain,
  domains: d.domains?.split(','),
  hash: flag(d.hash),
})
w.tp = tp
for (const [method, ...args] of queued) (tp[method] as (...a: unknown[]) => void)?.(...args)
