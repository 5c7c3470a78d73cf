import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Where a running collector can be reached, written into its data directory while it listens, so that the CLI on
 * the same directory asks it (its embedded ClickHouse is locked to it) even when it was started on another PORT.
 * The CLI reads it in packages/cli/src/config.ts.
 */
export const ADDRESS_FILE = 'collector.json'

/** Writes the file; the function it returns removes it, unless another collector has written it since. */
export function announceAddress(dataDir: string, url: string): () => void {
  const file = join(dataDir, ADDRESS_FILE)
  // an address this machine can reach: a collector listening on every interface is asked on the loopback one
  const reachable = url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:')
  try {
    writeFileSync(file, `${JSON.stringify({ url: reachable, pid: process.pid })}\n`)
  } catch {
    // a convenience for the CLI: a data directory that takes no file does not stop the start
    return () => {}
  }
  return () => {
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid === process.pid) rmSync(file)
    } catch {
      // gone already, or not ours
    }
  }
}
