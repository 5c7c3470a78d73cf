import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

/**
 * kafkajs's send() after a partition's leader dies, with the project's patch (patches/kafkajs@2.2.4.patch), as a
 * unit: a cluster stand-in whose partition 0 is led by broker 1 and partition 1 by broker 2. Broker 1 fails the first
 * produce as a killed leader does; the metadata then names broker 2 leader of both. The messages of partition 0
 * must reach broker 2. Unpatched, broker 2 had already answered (for partition 1), so the retry skipped it, and
 * send() resolved without partition 0's messages. test/kafka-cluster.integration.test.ts shows it with real brokers.
 */
const require = createRequire(import.meta.url)
const sendMessages = require('kafkajs/src/producer/sendMessages')
const createRetry = require('kafkajs/src/retry')
const { KafkaJSProtocolError } = require('kafkajs/src/errors')
const { errorCodes } = require('kafkajs/src/protocol/error')

interface Produced {
  nodeId: number
  partitions: Array<{ partition: number; messages: Array<{ key: string }> }>
}

function cluster() {
  const produced: Produced[] = []
  let leaders: Record<number, number> = { 0: 1, 1: 2 }
  let brokerOneDown = true
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({
      topicData,
    }: {
      topicData: Array<{ topicName: string; partitions: Produced['partitions'] }>
    }) => {
      if (nodeId === 1 && brokerOneDown) {
        // the leader is gone: the metadata moves partition 0 to broker 2
        leaders = { 0: 2, 1: 2 }
        brokerOneDown = false
        throw new KafkaJSProtocolError(
          errorCodes.find((e: { type: string }) => e.type === 'NOT_LEADER_FOR_PARTITION'),
        )
      }
      produced.push({ nodeId, partitions: topicData[0]!.partitions })
      return {
        topics: topicData.map((t) => ({
          topicName: t.topicName,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })),
        })),
      }
    },
  })
  const brokers = new Map([1, 2].map((id) => [id, broker(id)]))
  const stub = {
    refreshMetadataIfNecessary: async () => {},
    refreshMetadata: async () => {},
    addMultipleTargetTopics: async () => {},
    isConnected: () => true,
    removeBroker: () => {},
    findTopicPartitionMetadata: () => [
      { partitionId: 0, leader: leaders[0] },
      { partitionId: 1, leader: leaders[1] },
    ],
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const byLeader: Record<number, number[]> = {}
      for (const p of partitions) {
        const leader = leaders[Number(p)]!
        byLeader[leader] = [...(byLeader[leader] ?? []), Number(p)]
      }
      return byLeader
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => brokers.get(Number(nodeId)),
  }
  return { stub, produced }
}

const noEos = {
  isTransactional: () => false,
  acquireBrokerLock: async () => {},
  releaseBrokerLock: async () => {},
  getSequence: () => 0,
  updateSequence: () => {},
  getProducerId: () => -1,
  getProducerEpoch: () => 0,
}
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

describe("kafkajs's send() when a partition's leader is killed", () => {
  it('sends that partition again to its new leader, even one that had answered for another', async () => {
    const { stub, produced } = cluster()
    const send = sendMessages({
      logger: quiet,
      cluster: stub,
      // the key names the partition
      partitioner: ({ message }: { message: { key: string } }) => Number(message.key.slice(1)),
      eosManager: noEos,
      retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
    })
    const messages = [
      { key: 'p0', value: 'a' },
      { key: 'p1', value: 'b' },
      { key: 'p0', value: 'c' },
    ]
    const answers = await send({ acks: -1, timeout: 1000, topicMessages: [{ topic: 't', messages }] })
    const delivered = produced.flatMap((p) => p.partitions.flatMap((x) => x.messages.map((m) => m.key)))
    expect(delivered.sort()).toEqual(['p0', 'p0', 'p1'])
    // partition 1, answered first, is not sent twice; partition 0 went to broker 2 on the retry
    expect(produced.map((p) => [p.nodeId, p.partitions.map((x) => x.partition)])).toEqual([
      [2, [1]],
      [2, [0]],
    ])
    expect(answers.map((a: { partition: number }) => a.partition).sort()).toEqual([0, 1])
  })
})
