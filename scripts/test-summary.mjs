// Prints vitest's totals as one plain line ("N passed, N failed, N skipped"), the form CI reads.
import { readFileSync } from 'node:fs'

const file = process.argv[2]
try {
  const r = JSON.parse(readFileSync(file, 'utf8'))
  const skipped = r.numPendingTests + r.numTodoTests
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`)
} catch (err) {
  console.log(`no test results in ${file}: ${err.message}`)
  process.exit(1)
}
