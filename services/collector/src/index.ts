export { type AppServices, buildApp, buildQueryApp, toTpError } from './app'
export {
  type CollectorConfig,
  ConfigError,
  DEV_PROJECTS_FILE,
  devProjects,
  generateKey,
  loadConfig,
  type ProjectConfig,
} from './config'
export { channelOf } from './enrich/channel'
export { ERRORS, type ErrorCode, TpError } from './errors'
export { createLogger, REDACTED } from './logger'
export { Metrics } from './metrics'
export { EmbeddedPipeline } from './pipeline/embedded'
export type { Sink } from './pipeline/sink'
export { type RunningCollector, startCollector } from './server'
export { Spool } from './spool/spool'
export { SpoolFullError } from './spool/types'
export { listenOn } from './util/listen'
