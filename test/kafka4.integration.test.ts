import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectExactlyOnce } from './helpers/exactly-once'
import { eventually } from './helpers/http'
import { Broker } from './helpers/kafka'
import { type KafkaStack, printLogsOnFailure, startKafkaStack, stopKafkaStack } from './helpers/kafka-stack'

/**
 * The pipeline on Apache Kafka 4 (4.4.0), which removed the oldest versions of the protocol's requests (KIP-896)
 * and runs only in KRaft mode: a steady load through the ingester's kill -9 and the broker's restart, and every
 * acknowledged event stored exactly once. The other Kafka suites run on 3.9.1 (scripts/kafka.sh's default);
 * KAFKA_VERSION=4.4.0 runs all of them on 4.4.0 (README, "Kafka versions").
 */
const VERSION = '4.4.0'
let stack: KafkaStack

beforeAll(async () => {
  const broker = await Broker.create('plaintext', { version: VERSION })
  stack = await startKafkaStack('kafka4', { concurrency: 4, pauseMs: 50, prefix: 'v4' }, {}, [broker])
}, 180_000)

printLogsOnFailure(() => stack)

afterAll(() => stopKafkaStack(stack))

const ackedMore = (n: number) => {
  const before = stack.load.acked.size
  return eventually(
    async () => stack.load.acked.size,
    (size) => size >= before + n,
    60_000,
  )
}

it(`carries a steady load through Kafka ${VERSION}, an ingester killed and a broker restarted, each event once`, {
  timeout: 300_000,
}, async () => {
  // the broker runs the release asked for: its metadata is at that version's level
  expect(readFileSync(join(stack.broker.dir, 'broker.log'), 'utf8')).toMatch(/metadata\.version 4\.4-/)
  await ackedMore(500)
  await stack.ingester.stop('SIGKILL')
  await stack.ingester.start()
  await ackedMore(500)
  await stack.broker.stop()
  await sleep(2000)
  await stack.broker.start()
  await ackedMore(500)
  const log = (step: string) => console.log(`[kafka4] ${new Date().toISOString()} ${step}`)
  const { acked, stored } = await expectExactlyOnce({ ...stack, event: 'Load Test' }, log)
  expect(acked).toBeGreaterThan(1500)
  expect(stored).toBeGreaterThanOrEqual(acked)
})
