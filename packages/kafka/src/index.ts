export { consumedPast, createKafka, ensureTopics, type KafkaConnection, type TopicSpec } from './client'
export { type Decoded, fromMessage, toMessage } from './codec'
export { brokerList, topicEnv, topicSpec } from './env'
