export {
  Counter,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  type Labels,
  labelText,
  type Metric,
  processMemoryGauges,
  Registry,
  ServiceMetrics,
} from './prometheus'
