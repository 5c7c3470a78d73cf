import { cookie, local, memory, type Store } from './storage'
import { transport } from './transport'
import type { Props, Tracker, TrackerOptions } from './types'

declare const __VERSION__: string

const SESSION_IDLE = 30 * 60 * 1000
const CAMPAIGN_PARAMS = [
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'gclid',
  'fbclid',
  'msclkid',
]
const HANDOFF = '_tph'
const CROSS_DOMAIN = '_tpa'
const DOWNLOAD = /\.(pdf|zip|gz|dmg|exe|msi|pkg|apk|csv|(xls|doc|ppt)x?|txt|rtf|mp[34]|mov|avi|wav|epub)$/i

/** Listening on the capture phase: 1 reads as true there, in fewer bytes of tp.js than `true` (`!0`) */
const CAPTURE = 1 as unknown as boolean

/** A document Chrome may load before it is shown (speculation rules' prerender); not yet in TypeScript's DOM. */
type Prerendered = Document & { prerendering?: boolean }

/** An event as it was made: its type and fields, page, time, and the user id it was made under. */
type Draft = [type: string, fields: Props, page: Props, t: number, userId: string | null | undefined]

/** 128 random bits as hex (crypto.randomUUID exists only on https pages). */
const uuid = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('')

/**
 * The Touchpoint browser tracker: page views, clicks, conversions, identity, consent and engagement. One a page for
 * each collector and key: a second tp.js tag (a tag manager's beside the site's own) or a second call (React's
 * StrictMode runs effects twice) gets the tracker already running, whose options hold, so nothing counts twice.
 */
export function createTracker(o: TrackerOptions): Tracker {
  const w = window as unknown as { __tp?: Record<string, Tracker> }
  // biome-ignore lint/suspicious/noAssignInExpressions: 4 B of tp.js's 3,000 less than as statements
  const running = (w.__tp = w.__tp || {})
  const name = `${o.api} ${o.key}`
  // biome-ignore lint/suspicious/noAssignInExpressions: as above
  return running[name] || (running[name] = make(o))
}

function make(o: TrackerOptions): Tracker {
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean }
  // where the visitor is, as their device says (the collector looks up no IP address): its time zone
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone
  const off = o.respectDnt && (nav.doNotTrack === '1' || nav.globalPrivacyControl)
  let granted = o.consent !== 'required'
  const persistent = () => granted && !o.cookieless
  const mem = memory()
  const disk: Store = o.cookieDomain ? cookie(o.cookieDomain) : local()
  const store = () => (persistent() ? disk : mem)
  const net = transport(`${o.api.replace(/\/$/, '')}/v1/batch`, o.key, local())
  let queue: object[] = []
  let held: Draft[] = [] // events made before consent: in memory only, sent if it is granted
  let timer: ReturnType<typeof setTimeout> | 0 = 0

  const id = (k: string) => {
    let v = store().get(k)
    if (!v) {
      v = uuid()
      store().set(k, v)
    }
    return v
  }
  const get = (k: string) => store().get(k)

  // Campaign and click ids of the landing URL, kept for the session; a new campaign starts a new session
  const landing = new URL(location.href)
  const tags: Props = {}
  for (const p of CAMPAIGN_PARAMS) {
    const v = landing.searchParams.get(p)
    // Segment's context.campaign: utm_campaign is `name`, the others lose their prefix; click ids keep their names
    if (v) tags[p === 'utm_campaign' ? 'name' : p.replace('utm_', '')] = v
  }
  const newCampaign = Object.keys(tags).length ? JSON.stringify(tags) : ''
  const handoff = landing.searchParams.get(HANDOFF)
  const linked = landing.searchParams.get(CROSS_DOMAIN)
  if (handoff || linked) {
    landing.searchParams.delete(HANDOFF)
    landing.searchParams.delete(CROSS_DOMAIN)
    history.replaceState(history.state, '', landing)
  }
  let pendingHandoff = handoff
  // Arriving by a link from another of the site's domains: the same visitor, in the same visit (its session keeps
  // the visit's campaign and the site it came from, so that these pages have the visit's channel too). A
  // hand-over whose visit does not read as tp.js writes it is not taken: made by hand, it could break every call.
  if (linked)
    try {
      const [aid, visit] = JSON.parse(linked)
      JSON.parse(JSON.parse(visit).c || 0)
      store().set('tp_aid', aid)
      store().set('tp_s', visit)
    } catch {}
  const KEYS = ['tp_uid', 'tp_aid', 'tp_s'] // the user's first: consent copies the others
  // what identifies the visitor, wherever it is kept: before consent, in memory only
  const forget = () => {
    for (const k of KEYS) {
      mem.delete(k)
      disk.delete(k)
    }
  }

  // a session ends after 30 idle minutes, or when the visitor arrives from a different campaign; like its campaign
  // tags, it keeps the other site it came from, if any, so that each of its pages has the visit's channel
  let fresh = newCampaign // until the page's first event is built
  // The page this one was reached from: for the first view, the one the browser names; for a single-page
  // app's later views, the route before, as a link between server-rendered pages would give
  let referrer = document.referrer
  const from = referrer && new URL(referrer).host !== location.host ? referrer : ''
  // The time of each event, a millisecond after the one before at the least, so that calls made together (a page
  // view and the conversion its script records) are stored, and ordered in funnels and journeys, as they were made
  let last = 0

  const send = (leaving?: boolean) => {
    clearTimeout(timer)
    timer = 0
    // a page prerendered by the site's speculation rules sends nothing until it is shown: never, if it is not
    if (!(document as Prerendered).prerendering) net.send(queue.splice(0), leaving)
  }

  const here = (): Props => ({ url: location.href, title: document.title, referrer })
  // The page being viewed, as it was when viewed. Its Page Left carries it: in a single-page app the URL has
  // already moved on to the next route by the time the navigation is seen.
  let viewed: Props

  // An event takes its session and anonymous id when it is built: at once, or, when made before consent, once
  // consent is given, so that a visitor who agreed on an earlier page goes on as the same visitor and session
  const build = ([type, fields, page, t, uid]: Draft) => {
    let s: { id: string; t: number; c: string; r?: string } | null | undefined
    try {
      s = JSON.parse(get('tp_s') as string) // null when there is none: JSON.parse(null) is null
    } catch {}
    // A Page Left is no activity of its own: it goes in the visit of the visitor's last event (the page's view, or
    // what they did on the page since), however long the page stayed open, and neither ends that visit after 30
    // idle minutes (a page left open and closed an hour later made a visit of its Page Left alone) nor holds it
    // open for the next event
    const at = s && fields.event === 'Page Left' ? s.t : t
    if (!s || at - s.t > SESSION_IDLE || (fresh && s.c !== fresh))
      s = { id: uuid(), t: at, c: fresh, r: from }
    fresh = ''
    s.t = at
    store().set('tp_s', JSON.stringify(s))
    const context: Props = {
      page,
      sessionId: s.id,
      locale: nav.language,
      timezone,
      screen: { width: screen.width, height: screen.height },
      library: { name: 'tp.js', version: __VERSION__ },
    }
    if (s.c) context.campaign = JSON.parse(s.c)
    if (s.r) context.referrer = { url: s.r }
    if (pendingHandoff) {
      context.emailHandoff = pendingHandoff
      pendingHandoff = ''
    }
    // an identify made before consent is the user from its own place in the held events on
    if (type === 'identify') store().set('tp_uid', uid as string)
    const userId = uid || get('tp_uid')
    return {
      type,
      messageId: uuid(),
      anonymousId: id('tp_aid'),
      ...(userId && { userId }),
      timestamp: new Date(t).toISOString(),
      context,
      ...fields,
    }
  }
  const enqueue = (type: string, fields: Props, page = here()) => {
    if (off) return
    last = Math.max(Date.now(), last + 1)
    const draft: Draft = [type, fields, page, last, get('tp_uid')]
    if (!granted) {
      held.push(draft)
      return
    }
    queue.push(build(draft))
    // twenty events (queue[19] is one), the most a batch holds, as the outbox sends them
    if (queue[19]) send()
    else if (!timer) timer = setTimeout(send, o.flushMs ?? 1000)
  }

  // Engagement of the current page: visible milliseconds and deepest scroll, sent once when the page is left;
  // page() sets them for each page, the first included
  let visibleSince: number
  let engaged: number
  let depth: number
  let left: number // 1 once the page's Page Left is made (a number: shorter in tp.js than true and false)
  const scrolled = () => {
    const d = Math.round(((scrollY + innerHeight) / document.documentElement.scrollHeight) * 100)
    if (d > depth) depth = Math.min(d, 100)
  }
  const leave = (leaving?: boolean) => {
    if (!left) {
      left = 1
      engaged += visibleSince && Date.now() - visibleSince
      enqueue('track', { event: 'Page Left', properties: { engagedMs: engaged, scrollDepth: depth } }, viewed)
    }
    send(leaving)
  }

  let lastKey = ''
  const pageKey = () => location.pathname + (o.hash ? location.hash : '')
  const page = (props?: Props) => {
    lastKey = pageKey()
    left = engaged = depth = 0
    visibleSince = document.hidden ? 0 : Date.now()
    scrolled()
    viewed = here()
    enqueue('page', { properties: { ...props } }, viewed)
  }
  const navigated = () => {
    // before the first view (a prerendered page's router, as it loads) there is no page to leave: the view, when the
    // page is shown, is of where it is then
    if (!viewed || pageKey() === lastKey) return
    leave()
    referrer = viewed.url as string
    page()
  }

  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method]
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args)
      navigated()
    }
  }
  addEventListener('popstate', navigated)
  if (o.hash) addEventListener('hashchange', navigated)
  addEventListener('scroll', scrolled) // a scroll cannot be cancelled: no need to say passive
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) leave(true)
    else if (viewed) visibleSince = Date.now()
    else page() // a prerendered page, shown: its view (below)
  })
  addEventListener('pagehide', () => leave(true))
  // restored from the back/forward cache: the visit to this page starts again
  addEventListener('pageshow', (e) => (e as PageTransitionEvent).persisted && page())

  const onClick = (e: Event) => {
    // an element, or the window or document an event was dispatched at by a script: they have no closest()
    const target = e.target as Element
    const tagged = target.closest?.('[data-tp-event]')
    if (tagged) {
      const props: Props = {}
      for (const a of tagged.attributes)
        if (a.name.startsWith('data-tp-prop-')) props[a.name.slice(13)] = a.value
      enqueue('track', { event: tagged.getAttribute('data-tp-event'), properties: props })
    }
    const a = target.closest?.('a[href]') as HTMLAnchorElement | null
    if (!a || !/^http/.test(a.protocol)) return // http: or https:
    if (a.host !== location.host) {
      if (o.domains?.some((d) => `.${a.hostname}`.endsWith(`.${d}`)) && persistent()) {
        const to = new URL(a.href)
        to.searchParams.set(CROSS_DOMAIN, JSON.stringify([id('tp_aid'), get('tp_s')]))
        a.href = to as unknown as string // a URL sets it as its text
      } else enqueue('track', { event: 'Outbound Link Clicked', properties: { url: a.href } })
    } else if (DOWNLOAD.test(a.pathname))
      enqueue('track', { event: 'File Downloaded', properties: { url: a.href } })
    else return
    send(true) // the page may be about to go: send now, by beacon, without holding the navigation
  }
  addEventListener('click', onClick, CAPTURE)
  addEventListener('auxclick', onClick, CAPTURE)
  addEventListener(
    'submit',
    (e) => {
      const f = e.target as HTMLFormElement
      if (f.hasAttribute('data-tp-ignore')) return
      // the form's name and id only: never what was typed into it
      enqueue('track', {
        event: 'Lead Captured',
        properties: { formId: f.getAttribute('id') || '', formName: f.getAttribute('name') || '' },
      })
      send(true)
    },
    CAPTURE,
  )

  const api: Tracker = {
    page,
    track: (event, properties) => enqueue('track', { event, properties: { ...properties } }),
    conversion: (event, properties) =>
      enqueue('track', { event, properties: { ...properties, conversion: true } }),
    identify: (userId, traits) => {
      store().set('tp_uid', userId)
      enqueue('identify', { userId, traits: { ...traits } })
    },
    reset: forget,
    consent: (yes) => {
      if (yes) {
        granted = true
        // The visitor's stored id and visit go on when an earlier page had consent; this page's are stored
        // otherwise (the id anonymousId() gave, a visit handed over from another of the site's domains). The held
        // events take their session and user as they are built (an identify among them stores its user).
        if (persistent())
          for (const k of KEYS.slice(1)) {
            const v = mem.get(k)
            if (v && !disk.get(k)) disk.set(k, v)
          }
        for (const d of held.splice(0)) queue.push(build(d))
        send()
        net.retry()
      } else {
        granted = false
        held = []
        queue = []
        forget()
        net.clear()
      }
    },
    flush: send,
    anonymousId: () => id('tp_aid'),
    // on a task of its own, so that a callback that throws cannot stop the replay of the calls queued after it
    ready: (f) => setTimeout(f, 0, api),
  }
  // what earlier pages could not deliver goes now, or once this page has consent
  if (granted) net.retry()
  // a page prerendered is viewed when it is shown, which makes it visible (visibilitychange, above)
  if (!(document as Prerendered).prerendering) page()
  return api
}
