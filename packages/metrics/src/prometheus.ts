/** Prometheus text exposition (version 0.0.4): counters, gauges read at scrape time, and histograms. */

export type Labels = Record<string, string>

const NEEDS_ESCAPE = /["\\\n]/
const escapeLabel = (v: string) => v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))
/** `{k="v",…}`, built without intermediate arrays: counters are incremented on every request. */
export function labelText(labels: Labels): string {
  let out = ''
  for (const k in labels) {
    const v = labels[k] as string
    out += `${out === '' ? '{' : ','}${k}="${NEEDS_ESCAPE.test(v) ? escapeLabel(v) : v}"`
  }
  return out === '' ? '' : `${out}}`
}

export interface Metric {
  render(): string
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels)
    this.values.set(key, (this.values.get(key) ?? 0) + by)
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    if (this.values.size === 0) lines.push(`${this.name} 0`)
    for (const [k, v] of this.values) lines.push(`${this.name}${k} ${v}`)
    return lines.join('\n')
  }
}

/** A gauge whose values are read when scraped: `read` returns one value, or several by label set. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number | Array<[Labels, number]>,
  ) {}
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`]
    const v = this.read()
    if (typeof v === 'number') lines.push(`${this.name} ${v}`)
    else for (const [labels, value] of v) lines.push(`${this.name}${labelText(labels)} ${value}`)
    return lines.join('\n')
  }
}

export class Histogram implements Metric {
  private readonly counts: number[]
  private sum = 0
  private count = 0
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0)
  }
  observe(value: number): void {
    this.sum += value
    this.count++
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) this.counts[i]!++
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    this.buckets.forEach((b, i) => {
      lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`)
    })
    lines.push(
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    )
    return lines.join('\n')
  }
}

/** Seconds buckets for ClickHouse insert latency, 5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

export class Registry {
  private readonly metrics: Metric[] = []
  add<M extends Metric>(metric: M): M {
    this.metrics.push(metric)
    return metric
  }
  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`
  }
}

/**
 * The process's own memory, under the names Prometheus's Node.js client uses: resident memory (the JS heap and
 * everything native, such as an embedded ClickHouse) and the JS heap in use (where a leak in our code shows).
 */
export function processMemoryGauges(): Metric[] {
  return [
    new Gauge('process_resident_memory_bytes', 'Resident memory of the process.', () =>
      process.memoryUsage.rss(),
    ),
    new Gauge('nodejs_heap_size_used_bytes', 'JavaScript heap in use.', () => process.memoryUsage().heapUsed),
  ]
}

/**
 * A service's metrics: a registry that starts with the process's memory gauges, in which a subclass declares its
 * own counters and histograms as fields, and that renders them all for /metrics.
 */
export class ServiceMetrics {
  protected readonly registry = new Registry()

  constructor() {
    for (const gauge of processMemoryGauges()) this.registry.add(gauge)
  }

  /** A gauge read when /metrics is rendered. */
  gauge(name: string, help: string, read: () => number): void {
    this.registry.add(new Gauge(name, help, read))
  }

  render(): string {
    return this.registry.render()
  }
}
