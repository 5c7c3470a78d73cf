// The size budget of tp.js: minified and gzip -9, at most 3,000 bytes (the browser SDK issue), or the build fails.
import { readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const BUDGET = 3000
const file = new URL('../dist/tp.js', import.meta.url)
const min = readFileSync(file)
const gzip = gzipSync(min, { level: 9 }).length
writeFileSync(
  new URL('../dist/size.json', import.meta.url),
  `${JSON.stringify({ minified: min.length, gzip })}\n`,
)
console.log(`tp.js: ${min.length} B minified, ${gzip} B min+gzip -9 (budget ${BUDGET} B)`)
if (gzip > BUDGET) {
  console.error(`tp.js is ${gzip - BUDGET} B over its ${BUDGET} B budget`)
  process.exit(1)
}
