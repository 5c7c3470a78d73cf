/** The browser SDK's public types (the ESM build ships them; the IIFE exposes the same API as window.tp). */

export type Props = Record<string, unknown>

export interface TrackerOptions {
  /** The project's write key. */
  key: string
  /** The collector's origin, e.g. https://collect.example.com (the script tag defaults to its own origin). */
  api: string
  /** 'required': nothing stored or sent until tp.consent(true). */
  consent?: 'required' | 'granted'
  /** No persistent id: a fresh anonymous id each page load, nothing written to storage. */
  cookieless?: boolean
  /** Send nothing when the browser asks not to be tracked (Do Not Track or Global Privacy Control). */
  respectDnt?: boolean
  /** Keep the anonymous id in a first-party cookie on this domain (e.g. example.com, shared by subdomains). */
  cookieDomain?: string
  /** Other domains of the same site: links to them carry the anonymous id across (cross-domain linking). */
  domains?: string[]
  /** Single-page apps that route by the URL's #hash: each hash change is a page view. */
  hash?: boolean
  /** How long events wait to be sent together (ms, default 1000). */
  flushMs?: number
}

export interface Tracker {
  /** A page view of the current URL (sent automatically on load and on every SPA navigation). */
  page(props?: Props): void
  track(event: string, props?: Props): void
  /** A conversion: a track event with revenue and currency, which attribution and orders report on. */
  conversion(event: string, props?: Props & { revenue?: number; currency?: string }): void
  identify(userId: string, traits?: Props): void
  /** Forgets the user: new anonymous id and session (for a log-out). */
  reset(): void
  /**
   * Grants (true) or withdraws (false) consent; withdrawing clears everything stored. Not remembered: with
   * consent 'required', call it on each page load, and the events made before it are sent as the visitor's.
   */
  consent(granted: boolean): void
  /** Sends what is queued now. */
  flush(): void
  /**
   * The anonymous id the events carry, for a server that records what happens next under the same visitor (a
   * shop's checkout, a sign-up form): the stored one, or this page load's when cookieless or before consent (once
   * consent is given, a visitor who agreed on an earlier page has their stored one back).
   */
  anonymousId(): string
  /**
   * Calls `callback` with the tracker once tp.js has run, on a task of its own (just after the call when it has
   * run; when it loads otherwise: the snippet's queue keeps the call), so a page's inline script can read
   * `anonymousId()` before the deferred tag has run.
   */
  ready(callback: (tp: Tracker) => void): void
}
