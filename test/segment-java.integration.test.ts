import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '../services/collector/src/server'
import { tempDir } from './helpers/collector'
import { startTestCollector } from './helpers/in-process'
import { EACH_KIND, lastWeeksReport, storedCalls } from './helpers/segment-library'

/**
 * Segment's Java library (com.segment.analytics.java:analytics, fetched from Maven Central as the Kafka tests'
 * jars are), in a JVM of its own, pointed at the collector with the project's secret key: a Java shop's server. It
 * posts its batches to /v1/import/, which the README says the collector serves; this runs it.
 */
const run = promisify(execFile)
const ADMIN = 'admin-key-java-0123456789abcdef'
const SECRET = 'sk_java_0123456789abcdef'
const HERE = join(import.meta.dirname, 'segment-java')

let collector: RunningCollector
let classPath: string

beforeAll(async () => {
  const build = tempDir()
  await run('mvn', [
    '-q',
    '-B',
    '-f',
    join(HERE, 'pom.xml'),
    'dependency:build-classpath',
    `-Dmdep.outputFile=${join(build, 'cp')}`,
  ])
  const jars = readFileSync(join(build, 'cp'), 'utf8').trim()
  await run('javac', ['-cp', jars, '-d', build, join(HERE, 'SendCalls.java')])
  classPath = `${build}:${jars}`
  ;({ collector } = await startTestCollector({
    adminKey: ADMIN,
    projects: [{ id: 'java-shop', writeKey: 'wk_java_0123456', secretKey: SECRET }],
  }))
}, 300_000)
afterAll(async () => collector?.close())

describe("Segment's Java library, pointed at the collector", () => {
  it('stores each kind of call it sends, and its back-dated order counts in the orders report', async () => {
    const user = `java-${Date.now().toString(36)}`
    const { stdout, stderr } = await run(
      'java',
      ['-cp', classPath, 'SendCalls', SECRET, collector.url, user],
      {
        timeout: 60_000,
      },
    )
    expect(stdout.trim()).toBe('sent')
    // the library's log: its one upload answered 200, nothing failed or retried
    expect(stderr).toMatch(/<-- 200 OK \S+\/v1\/import\//)
    expect(stderr).not.toMatch(/ERROR|Retrying/)

    const rows = await storedCalls(
      collector,
      ADMIN,
      user,
      6,
      `previous_id, revenue, currency, url, utm_source, JSONExtractString(traits, 'name') AS name,
       timestamp < now() - INTERVAL 1 DAY AS back_dated`,
    )
    expect(rows.map((r) => [r.type, r.event, r.source, r.library_name])).toEqual(
      [...EACH_KIND, ['track', 'Order Completed']].map((r) => [...r, 'server', 'analytics-java']),
    )
    const by = (type: string) => rows.find((r) => r.type === type)!
    expect(by('alias').previous_id).toBe(`anon-${user}`)
    expect(by('identify').name).toBe('Zoë 😀')
    expect(by('page')).toMatchObject({
      url: 'https://shop.example/pricing?utm_source=newsletter',
      utm_source: 'newsletter',
    })
    expect(by('track')).toMatchObject({ revenue: 49, currency: 'EUR', back_dated: 1 })

    const orders = await lastWeeksReport(collector, ADMIN, 'java-shop', 'orders')
    expect(orders.status).toBe(200)
    expect(orders.body).toMatchObject({ orders: 1, revenue: 49 })
  })
})
