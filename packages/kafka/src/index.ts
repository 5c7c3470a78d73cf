export {
  consumedPast,
  createKafka,
  ensureTopics,
  type KafkaConnection,
  onceTopicsKnown,
  partitionsBehind,
  readsFrom,
  type TopicSpec,
  topicRisks,
} from './client'
export { type Decoded, fromMessage, toMessage } from './codec'
export { BROKER_DEFAULT, brokerList, topicEnv, topicSpec } from './env'
export { sendInParts } from './in-parts'
export { hintOf, refusalOf, refusedBy, topicMissing } from './refusal'
export { checkSecurity, describeSecurity, type KafkaSecurity, securityEnv, securityOf } from './security'
