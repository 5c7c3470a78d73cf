export { type CliConfig, loadCliConfig } from './config'
export { formatTable } from './table'
