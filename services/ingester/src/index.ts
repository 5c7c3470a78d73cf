export { type IngesterConfig, loadIngesterConfig } from './config'
export { Ingester } from './ingester'
export { IngesterMetrics } from './metrics'
export { type RunningIngester, startIngester } from './server'
