import type { EmailMessage, EmailTracker } from './tracker'
import { HONEYPOT_LINK_ID } from './urls'

export interface InstrumentOptions extends EmailMessage {
  /** Add the hidden honeypot link that tells scanners from people (default true). */
  honeypot?: boolean
}

const ANCHOR = /<a\b(?:"[^"]*"|'[^']*'|[^'">])*>/gi
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' }
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? all
    const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1))
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : all
  })
const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;')

/**
 * A link that holds an email service's merge tag, to be filled in per recipient after it is signed: Handlebars and
 * Liquid (`{{contact.id}}`, `{% unsubscribe %}`), Mailchimp (`*|EMAIL|*`), Marketing Cloud (`%%view_email_url%%`),
 * Mailjet (`[[UNSUB_LINK]]`), template literals (`${id}`), and Mailgun and ActiveCampaign (`%recipient.id%`; a
 * percent-encoded byte such as `%C3%` is not one).
 */
const MERGE_TAG = /\{\{|\{%|\*\|[^|]*\|\*|%%|\[\[|\$\{|%([a-z_][\w.:-]*)%/gi
const hasMergeTag = (url: string) =>
  [...url.matchAll(MERGE_TAG)].some(([, name]) => name === undefined || !/^[0-9a-f]{2}$/i.test(name))

interface Attr {
  name: string
  value: string | undefined
  start: number
  end: number
}

function attributesOf(tag: string): Attr[] {
  const attrs: Attr[] = []
  const body = tag.slice(2, -1) // after "<a", before ">"
  for (const m of body.matchAll(ATTRIBUTE)) {
    const value = m[2] ?? m[3] ?? m[4]
    attrs.push({ name: m[1]!.toLowerCase(), value, start: m.index! + 2, end: m.index! + 2 + m[0].length })
  }
  return attrs
}

/**
 * Rewrites every http(s) link of an email's HTML into a signed click URL and adds the open pixel (and a hidden
 * honeypot link) before </body>. mailto:, tel:, anchors, template placeholders, links holding a merge tag (which the
 * email service fills in after signing) and links marked data-tp-ignore are left alone. A link's id is its data-tp-link attribute, else its position (l1, l2, …).
 */
export function instrumentHtml(html: string, tracker: EmailTracker, options: InstrumentOptions): string {
  let position = 0
  const out = html.replace(ANCHOR, (tag) => {
    const attrs = attributesOf(tag)
    const href = attrs.find((a) => a.name === 'href')
    if (!href?.value || attrs.some((a) => a.name === 'data-tp-ignore')) return tag
    const target = decode(href.value).trim()
    // a merge tag signed into the click URL could not be filled in: the recipient would land on the tag itself
    if (!/^https?:\/\/[^/]/i.test(target) || hasMergeTag(target)) return tag
    position++
    const linkId = attrs.find((a) => a.name === 'data-tp-link')?.value ?? `l${position}`
    let url: string
    try {
      url = tracker.linkUrl(target, { ...options, linkId })
    } catch {
      return tag // not a URL that can be signed (for instance an unparsable host): left as it is
    }
    return `${tag.slice(0, href.start)}href="${escapeAttr(url)}"${tag.slice(href.end)}`
  })
  const extra = [
    options.honeypot === false
      ? ''
      : `<a href="${escapeAttr(tracker.linkUrl(honeypotOf(tracker, options), { ...options, linkId: HONEYPOT_LINK_ID }))}" style="display:none!important;font-size:0;line-height:0;max-height:0;overflow:hidden" aria-hidden="true" tabindex="-1"></a>`,
    `<img src="${escapeAttr(tracker.pixelUrl(options))}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" />`,
  ].join('')
  const close = out.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i)
  return close === -1 ? out + extra : out.slice(0, close) + extra + out.slice(close)
}

/** The honeypot points at the collector's own root (taken from the pixel URL), never at the sender's site. */
function honeypotOf(tracker: EmailTracker, message: EmailMessage): string {
  return `${new URL(tracker.pixelUrl(message)).origin}/`
}
