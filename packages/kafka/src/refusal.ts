import { createKafka, type KafkaConnection } from './client'

/** TLS errors of a broker's certificate that this client could not verify, and what to look at for each. */
const SIGNED_BY_UNKNOWN_CA = 'KAFKA_SSL_CA names the CA that signed it'
const UNVERIFIED: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: SIGNED_BY_UNKNOWN_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: SIGNED_BY_UNKNOWN_CA,
  UNABLE_TO_GET_ISSUER_CERT: SIGNED_BY_UNKNOWN_CA,
  SELF_SIGNED_CERT_IN_CHAIN: SIGNED_BY_UNKNOWN_CA,
  DEPTH_ZERO_SELF_SIGNED_CERT: SIGNED_BY_UNKNOWN_CA,
  CERT_HAS_EXPIRED: "the broker's certificate is out of date (or this host's clock is wrong)",
  CERT_NOT_YET_VALID: "the broker's certificate is not valid yet (or this host's clock is wrong)",
  ERR_TLS_CERT_ALTNAME_INVALID: 'name the brokers in KAFKA_BROKERS as their certificates do',
}

/** TLS alerts a broker sends when it wants a client certificate, or does not take the one it got. */
const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
])

interface ChainLink {
  name?: string
  code?: string
  type?: string
  message?: string
  cause?: unknown
  originalError?: unknown
  /** a KafkaJSAggregateError's (createTopics: one for each topic) */
  errors?: unknown[]
}

/**
 * The error and those it wraps: kafkajs wraps the socket's error in a connection error in a retry error, and
 * gathers createTopics' errors, one for each topic, in an aggregate.
 */
function* chain(err: unknown, depth = 0): Generator<ChainLink> {
  const e = err as ChainLink | undefined
  if (!e || typeof e !== 'object' || depth > 5) return
  yield e
  for (const inner of e.errors ?? []) yield* chain(inner, depth + 1)
  yield* chain(e.cause ?? e.originalError, depth + 1)
}

/** What each kind of authorization a broker refused is about. */
const UNAUTHORIZED: Record<string, string> = {
  TOPIC_AUTHORIZATION_FAILED: 'a topic',
  GROUP_AUTHORIZATION_FAILED: 'the consumer group (KAFKA_GROUP_ID)',
  CLUSTER_AUTHORIZATION_FAILED: 'the cluster',
}

/**
 * Why the brokers refused this client, when they did: a password, a certificate or a protocol they do not take.
 * A refusal is the configuration's, so waiting does not mend it; undefined for anything else (a broker that is
 * down or unreachable), which retrying may.
 */
export function refusalOf(err: unknown): string | undefined {
  for (const e of chain(err)) {
    if (e.name === 'KafkaJSSASLAuthenticationError')
      return `it refused the SASL credentials (KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD): ${e.message}`
    if (e.type === 'UNSUPPORTED_SASL_MECHANISM')
      return `it does not take that SASL mechanism (KAFKA_SASL_MECHANISM): ${e.message}`
    if (e.type && e.type in UNAUTHORIZED)
      return `its ACLs do not allow this client that on ${UNAUTHORIZED[e.type]} (${e.type}): create the topics beforehand, or grant the ACLs the README lists ("Managed Kafka")`
    if (e.type === 'INVALID_REPLICATION_FACTOR' || e.type === 'POLICY_VIOLATION')
      return `it would not create the topic so (${e.type}: ${e.message}): set KAFKA_REPLICATION to what it asks (unset, the brokers' default), or create the topics beforehand`
    if (e.type === 'ILLEGAL_SASL_STATE')
      return "it took no SASL handshake (ILLEGAL_SASL_STATE): its port takes no SASL (unset KAFKA_SASL_MECHANISM, or name its SASL port in KAFKA_BROKERS), or it ends sessions sooner than the client's 10 s re-authentication (connections.max.reauth.ms)"
    if (e.code && e.code in UNVERIFIED)
      return `its TLS certificate could not be verified (${e.code}): ${UNVERIFIED[e.code]}`
    if (e.code && CLIENT_CERT_REFUSED.has(e.code))
      return `it wants a client certificate, or did not take this one (${e.code}): KAFKA_SSL_CERT and KAFKA_SSL_KEY`
    if (e.code === 'ERR_SSL_WRONG_VERSION_NUMBER')
      return 'its port does not speak TLS: set KAFKA_SSL=false, or name its TLS port in KAFKA_BROKERS'
  }
  return undefined
}

/**
 * Whether the brokers refused a produce for its size (message.max.bytes, 1 MB by default, is checked for each
 * partition's batch): the same records in smaller produces go through.
 */
export function tooLarge(err: unknown): boolean {
  for (const e of chain(err))
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true
  return false
}

/**
 * Whether the brokers answered that they do not know the topic: deleted under the running services (or never
 * created, where a service started while the brokers were away). Both services then make it again, as at start.
 */
export function topicMissing(err: unknown): boolean {
  for (const e of chain(err)) if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') return true
  return false
}

/**
 * What may explain a failure that is no refusal: a broker that closes each connection at once, to a client that
 * speaks no TLS, most likely wants TLS (a managed service's port always does), though it could be going down. A
 * broker that takes the connection and answers nothing hangs (kafkajs then says only "Broker not connected"). A
 * connection that failed to an address not in KAFKA_BROKERS is to one the brokers gave (advertised.listeners).
 */
export function hintOf(err: unknown, { ssl, brokers }: KafkaConnection): string | undefined {
  for (const e of chain(err)) {
    // the brokers answer at the address given, then name another as theirs (advertised.listeners), which a client
    // must reach for every request after the first: a Docker or Kubernetes name, or a port, that this host cannot
    const at = (e as { broker?: unknown }).broker
    if (e.name === 'KafkaJSConnectionError' && typeof at === 'string' && !brokers.includes(at))
      return `the brokers gave ${at} as their address (their advertised.listeners), and this host cannot reach it: set advertised.listeners to an address the services reach, as KAFKA_BROKERS does`
    if (e.name === 'KafkaJSConnectionClosedError' && !ssl)
      return 'the broker closed the connection at once: a port that asks for TLS does so to a client without it (KAFKA_SSL=true)'
    if (e.name === 'KafkaJSRequestTimeoutError' || e.message === 'Broker not connected')
      return 'the broker took the connection but did not answer: it may hang (a stalled disk, a long pause), or the port may not be a Kafka listener'
  }
  return undefined
}

/**
 * Connects once, with short retries, and tells whether the brokers refuse this client (see refusalOf). A service
 * whose own client retries for minutes asks this first, to stop at once on a refusal; any other failure is
 * left to that client.
 */
export async function refusedBy(connection: KafkaConnection): Promise<string | undefined> {
  const admin = createKafka(connection).admin()
  try {
    await admin.connect()
    return undefined
  } catch (err) {
    return refusalOf(err)
  } finally {
    await admin.disconnect().catch(() => {})
  }
}
