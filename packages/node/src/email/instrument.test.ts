import { describe, expect, it } from 'vitest'
import { verifyToken } from './token'
import { createEmailTracker } from './tracker'

const KEY = { id: 'k1', secret: 'a-secret-of-at-least-thirty-two-chars!' }
const tracker = createEmailTracker({ baseUrl: 'https://t.example.com', projectId: 'shop', keys: [KEY] })
const message = { campaignId: 'c', messageId: 'm', recipient: 'r', sentAt: new Date(1_700_000_000_000) }

const hrefs = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'))
const claimsOf = (url: string) => {
  const v = verifyToken(url.split('/').pop()!, [KEY])
  if (!v.ok || v.claims.kind !== 'click') throw new Error(`not a click URL: ${url}`)
  return v.claims
}

describe('instrumentHtml', () => {
  const html = `<html><body>
  <a href="https://shop.example.com/a?x=1&amp;y=2" class="btn">Shop</a>
  <a class='c' href='http://blog.example.com/post'>Blog</a>
  <a href=https://unquoted.example.com/>Bare</a>
  <a data-tp-link="hero" href="https://shop.example.com/hero">Hero</a>
  <a href="mailto:help@example.com">Mail</a> <a href="tel:+4930123">Call</a> <a href="#top">Top</a>
  <a href="https://keep.example.com/" data-tp-ignore>Unsubscribe</a>
  <a href="{{unsubscribe_url}}">Placeholder</a> <a name="anchor">no href</a>
  <abbr title="x">ABBR</abbr>
</body></html>`
  const out = tracker.instrumentHtml(html, message)

  it('signs each http(s) link with its target (entities decoded) and link id', () => {
    const tracked = hrefs(out).filter((h) => h.startsWith('https://t.example.com/e/c/'))
    const claims = tracked.map(claimsOf)
    expect(claims.map((c) => [c.target, c.linkId])).toEqual([
      ['https://shop.example.com/a?x=1&y=2', 'l1'],
      ['http://blog.example.com/post', 'l2'],
      ['https://unquoted.example.com/', 'l3'],
      ['https://shop.example.com/hero', 'hero'],
      ['https://t.example.com/', '_hp'],
    ])
    expect(out).toContain('class="btn">Shop</a>')
    expect(out).toContain(`<a class='c' href="https://t.example.com/e/c/shop/`)
  })

  it('leaves mailto:, tel:, anchors, placeholders and data-tp-ignore links alone', () => {
    for (const h of [
      'mailto:help@example.com',
      'tel:+4930123',
      '#top',
      'https://keep.example.com/',
      '{{unsubscribe_url}}',
    ])
      expect(hrefs(out)).toContain(h)
    expect(out).toContain('<a name="anchor">no href</a>')
    expect(out).toContain('<abbr title="x">ABBR</abbr>')
  })

  it("leaves a link holding an email service's merge tag alone, which a signed URL would seal unfilled", () => {
    const tagged = [
      'https://shop.example.com/unsubscribe?id={{contact.id}}',
      'https://shop.example.com/prefs/{% raw %}x{% endraw %}',
      'https://shop.example.com/p?e=*|EMAIL|*',
      'https://shop.example.com/view/%%jobid%%',
      'https://shop.example.com/u/[[UNSUB_LINK_EN]]',
      'https://shop.example.com/r/%recipient.id%',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal's placeholder, as a template holds it
      'https://shop.example.com/c/${customerId}',
    ]
    const plain = ['https://shop.example.com/caf%C3%A9', 'https://shop.example.com/a%20b%2Fc']
    const html = [...tagged, ...plain].map((h) => `<a href="${h}">x</a>`).join('')
    const links = hrefs(tracker.instrumentHtml(html, { ...message, honeypot: false }))
    expect(links.slice(0, tagged.length)).toEqual(tagged)
    expect(links.slice(tagged.length).map((h) => claimsOf(h).target)).toEqual(plain)
  })

  it('adds a hidden honeypot link and the pixel just before </body>', () => {
    expect(out).toMatch(
      /<a href="[^"]+" style="display:none[^"]*" aria-hidden="true" tabindex="-1"><\/a><img src="https:\/\/t\.example\.com\/e\/o\/shop\/[^"]+\.gif" width="1" height="1" alt=""[^>]*\/>\n?<\/body><\/html>$/,
    )
  })

  it('appends the pixel to a fragment without </body>, and can leave the honeypot out', () => {
    const frag = tracker.instrumentHtml('<p><a href="https://x.example.com/">x</a></p>', {
      ...message,
      honeypot: false,
    })
    expect(frag).toMatch(/^<p><a href="https:\/\/t\.example\.com\/e\/c\/shop\/[^"]+">x<\/a><\/p><img src=/)
    expect(frag).not.toContain('display:none')
  })
})
