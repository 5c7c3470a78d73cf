/**
 * The tag a site puts in its <head>: the queue stub (calls made before tp.js has loaded are kept and replayed)
 * and the script itself. README.md shows the same two lines.
 */
export const QUEUE_STUB =
  "<script>!function(w,t){t=w.tp=w.tp||{q:[]};'page track conversion identify reset consent flush ready'.split(' ').forEach(function(m){t[m]=t[m]||function(){t.q.push([m].concat([].slice.call(arguments)))}})}(window)</script>"

export function tag(collector: string, writeKey: string, attributes: Record<string, string> = {}): string {
  const extra = Object.entries(attributes)
    .map(([k, v]) => ` data-${k}="${v.replace(/"/g, '&quot;')}"`)
    .join('')
  return `${QUEUE_STUB}\n<script defer src="${collector}/tp.js" data-key="${writeKey}"${extra}></script>`
}
