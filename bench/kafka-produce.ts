import { createKafka, ensureTopics, toMessage } from '@touchpoint/kafka'
import { Broker } from '../test/helpers/kafka'

/**
 * What a kafkajs produce costs its caller, by messages per produce: a producer like the collector's
 * (idempotent, acks=all, 570-byte messages) with 50 concurrent callers, each awaiting its own produce, against
 * the real broker of scripts/kafka.sh. CPU time of this process per message and per produce.
 * `tsx bench/kafka-produce.ts [messages per case]`.
 */
const total = Number(process.argv[2] ?? 8192)
const CALLERS = 50
const broker = await Broker.create()
await broker.start()
try {
  const kafka = createKafka({ brokers: [broker.address], clientId: 'bench-produce' })
  const admin = kafka.admin()
  await admin.connect()
  await ensureTopics(admin, [{ topic: 'bench-produce', partitions: 3, replication: 1 }])
  await admin.disconnect()
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
  await producer.connect()
  const payload = JSON.stringify({ row: 'x'.repeat(560) })
  console.log(`${total} messages per case, ${CALLERS} concurrent callers:`)
  for (const perProduce of [1, 8, 64]) {
    let sent = 0
    const caller = async () => {
      while (sent < total) {
        const n = Math.min(perProduce, total - sent)
        sent += n
        const messages = Array.from({ length: n }, (_, i) =>
          toMessage({ kind: 1, id: `e-${sent + i}`, key: `bench:anon-${(sent + i) % 997}`, payload }),
        )
        await producer.send({ topic: 'bench-produce', acks: -1, messages })
      }
    }
    const cpu = process.cpuUsage()
    const started = performance.now()
    await Promise.all(Array.from({ length: CALLERS }, caller))
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    const cpuMs = (used.user + used.system) / 1000
    console.log(
      `  ${String(perProduce).padStart(2)} per produce: ${Math.round(total / seconds).toLocaleString('en')} messages/s, ` +
        `${Math.round((cpuMs * 1000) / total)} µs CPU per message, ${(cpuMs / (total / perProduce)).toFixed(2)} ms CPU per produce`,
    )
  }
  await producer.disconnect()
} finally {
  await broker.stop()
}
