import { describe, expect, it } from 'vitest'
import { hintOf, refusalOf, tooLarge } from './refusal'

/** kafkajs's errors as it nests them: the socket's in a connection error in a retry error, createTopics' gathered. */
const retried = (inner: object) => ({ name: 'KafkaJSNumberOfRetriesExceeded', message: 'x', cause: inner })
const socket = (code: string) =>
  retried({ name: 'KafkaJSConnectionError', code, message: `Connection error: ${code}` })

describe('refusalOf', () => {
  it('tells what to look at for each certificate the client could not verify', () => {
    expect(refusalOf(socket('UNABLE_TO_VERIFY_LEAF_SIGNATURE'))).toContain(
      'KAFKA_SSL_CA names the CA that signed it',
    )
    expect(refusalOf(socket('ERR_TLS_CERT_ALTNAME_INVALID'))).toContain(
      'name the brokers in KAFKA_BROKERS as their certificates do',
    )
    expect(refusalOf(socket('CERT_HAS_EXPIRED'))).toContain("the broker's certificate is out of date")
  })

  it('finds a refusal inside an aggregate of createTopics errors, and none in an outage', () => {
    const aggregate = {
      name: 'KafkaJSAggregateError',
      message: 'Topic creation errors',
      errors: [
        { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', message: 'Not authorized' },
      ],
    }
    expect(refusalOf(aggregate)).toMatch(/^its ACLs do not allow this client that on a topic/)
    expect(refusalOf(socket('ECONNREFUSED'))).toBeUndefined()
    expect(tooLarge(retried({ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', message: 'x' }))).toBe(
      true,
    )
    expect(tooLarge(socket('ECONNRESET'))).toBe(false)
  })

  it('hints at TLS for a connection closed at once, only for a client without it', () => {
    const closed = retried({ name: 'KafkaJSConnectionClosedError', message: 'Closed connection' })
    expect(hintOf(closed, { brokers: [], clientId: 'c' })).toContain('KAFKA_SSL=true')
    expect(hintOf(closed, { brokers: [], clientId: 'c', ssl: true })).toBeUndefined()
  })

  it('hints at a broker that hangs for a request that timed out, or a connection kafkajs gave up on', () => {
    const timedOut = retried({ name: 'KafkaJSRequestTimeoutError', message: 'Request ApiVersions timed out' })
    for (const err of [timedOut, new Error('Broker not connected')])
      for (const ssl of [undefined, true])
        expect(hintOf(err, { brokers: [], clientId: 'c', ssl })).toContain('hang')
    expect(hintOf(socket('ECONNREFUSED'), { brokers: [], clientId: 'c' })).toBeUndefined()
  })

  it("hints at the brokers' advertised.listeners for a connection that failed to an address they gave", () => {
    const to = (broker: string) =>
      retried({ name: 'KafkaJSConnectionError', broker, code: 'ENOTFOUND', message: 'Connection error' })
    const connection = { brokers: ['10.0.0.5:9092'], clientId: 'c' }
    expect(hintOf(to('kafka-0.kafka-headless:9092'), connection)).toContain(
      'the brokers gave kafka-0.kafka-headless:9092 as their address (their advertised.listeners)',
    )
    // the address the service was given: the broker is down, nothing to say
    expect(hintOf(to('10.0.0.5:9092'), connection)).toBeUndefined()
  })
})
