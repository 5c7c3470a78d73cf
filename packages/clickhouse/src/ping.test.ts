import { createServer, type Server } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createClickHouse } from './client'
import { answersPing } from './ping'
import { useEmbeddedClickHouse } from './testing'

const embedded = useEmbeddedClickHouse('tp-ping-', { migrated: false })

/** A TCP port that takes connections and never answers: a ClickHouse that hangs. */
const hanging: Promise<{ server: Server; port: number }> = new Promise((resolve) => {
  const server = createServer(() => {}).listen(0, '127.0.0.1', () => {
    resolve({ server, port: (server.address() as { port: number }).port })
  })
})

/** A port nobody listens on: a ClickHouse that is down. */
const closedPort = async (): Promise<number> => {
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () =>
      resolve({ server: s, port: (s.address() as { port: number }).port }),
    )
  })
  await new Promise((r) => server.close(r))
  return port
}

afterAll(async () => {
  const { server } = await hanging
  server.close()
})

describe('answersPing', () => {
  it('is true for the embedded engine', async () => {
    expect(await answersPing(embedded.ch)).toBe(true)
  })

  it('is false for a server that refuses the connection', async () => {
    const ch = await createClickHouse({ url: `http://127.0.0.1:${await closedPort()}` })
    try {
      expect(await answersPing(ch)).toBe(false)
    } finally {
      await ch.close()
    }
  })

  it('is false, within its timeout, for a server that takes the connection and never answers', async () => {
    const ch = await createClickHouse({ url: `http://127.0.0.1:${(await hanging).port}` })
    try {
      const start = performance.now()
      expect(await answersPing(ch, 300)).toBe(false)
      expect(performance.now() - start).toBeLessThan(2000)
    } finally {
      await ch.close()
    }
  })
})
