// Supply chain: no dependency (runtime or development) under a copyleft licence. Reads `pnpm licenses list
// --json` (the installed tree; no network) and checks each package's SPDX expression: an OR needs one permissive
// side, an AND needs both. Packages whose metadata names no licence are listed below after a manual review.
import { execFileSync } from 'node:child_process'

const PERMISSIVE = new Set([
  'MIT',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  '0BSD',
  'Unlicense',
  'Zlib',
  'CC0-1.0',
  'BlueOak-1.0.0',
  'Python-2.0',
])
// reviewed: their repositories' LICENSE files are MIT (segmentio/isodate, segmentio/isodate-traverse, segmentio/new-date)
const REVIEWED_UNKNOWN = new Set(['@segment/isodate', '@segment/isodate-traverse', 'new-date'])

function permissive(expression) {
  const e = expression.trim().replace(/^\((.*)\)$/, '$1')
  if (/ OR /.test(e)) return e.split(/ OR /).some(permissive)
  if (/ AND /.test(e)) return e.split(/ AND /).every(permissive)
  return PERMISSIVE.has(e)
}

const tree = JSON.parse(
  execFileSync('pnpm', ['licenses', 'list', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }),
)
const bad = []
let count = 0
for (const [licence, packages] of Object.entries(tree)) {
  for (const p of packages) {
    count++
    if (licence === 'Unknown' ? REVIEWED_UNKNOWN.has(p.name) : permissive(licence)) continue
    bad.push(`${p.name}@${p.versions?.join(',') ?? '?'}: ${licence}`)
  }
}
if (bad.length) {
  console.error(
    `licence check: ${bad.length} package(s) not under a permissive licence:\n  ${bad.join('\n  ')}`,
  )
  process.exit(1)
}
console.log(`licence check: ${count} packages, all under permissive licences`)
