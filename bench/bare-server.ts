import Fastify from 'fastify'

/**
 * The reference of the ingest benchmark: a bare Fastify server with the collector's body limit, whose tracking
 * routes parse the same JSON body and answer 200, and whose GIF route answers the same 43-byte GIF. What the
 * collector does beyond this (auth, validation, enrichment, durable hand-off) is what the ratio measures.
 */
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64')
const app = Fastify({ bodyLimit: 512 * 1024, logger: false })
app.post('/v1/track', async () => ({ success: true }))
app.post('/v1/batch', async (req) => ({
  success: true,
  accepted: (req.body as { batch: unknown[] }).batch.length,
}))
app.get('/gif/:token', async (_req, reply) =>
  reply.header('content-type', 'image/gif').header('cache-control', 'no-store').send(GIF),
)
app.get('/r/:token', async (_req, reply) =>
  reply
    .code(302)
    .header('location', 'https://shop.example/sale?utm_source=email')
    .header('cache-control', 'no-store')
    .send(),
)
const port = Number(process.argv[2] ?? 0)
await app.listen({ port, host: '127.0.0.1' })
process.stdout.write(`ready ${(app.server.address() as { port: number }).port}\n`)
