import { defineConfig } from 'vitest/config'

const UNIT_AND_INTEGRATION = [
  'packages/*/src/**/*.test.ts',
  'services/*/src/**/*.test.ts',
  'test/**/*.test.ts',
  'bench/**/*.test.ts',
]
const BROWSER = ['test/**/*.browser.test.ts']
/** Tests that keep both cores busy for a minute or more (a million-row import, 100,000 client calls). */
const LOAD = ['test/import.integration.test.ts', 'test/node-client.integration.test.ts']
/** Four minutes of load through Kafka with processes killed at random: alone at the end, with both cores. */
const SOAK = ['test/soak.integration.test.ts']
/** Three Kafka brokers, each a JVM, killed in turn under load: alone, after the soak. */
const CLUSTER = ['test/kafka-cluster.integration.test.ts']

/**
 * One runner for every tier: unit tests (`*.test.ts`) beside the code, integration tests that start real
 * services (`*.integration.test.ts`), browser tests in real Chromium (`*.browser.test.ts`).
 * Each file runs in its own process: chDB allows one data directory per process. The browser tests run after
 * the rest (groupOrder), so Chromium never competes for the two CI cores with the Kafka fault tests' timings,
 * and the load tests after those, for the same reason: beside a million-row import, the fault test's ingester
 * once could not drain its lag within its minute. The soak test runs alone after them, then the Kafka cluster's.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: UNIT_AND_INTEGRATION,
          exclude: [...BROWSER, ...LOAD, ...SOAK, ...CLUSTER],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'browser', include: BROWSER, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'load', include: LOAD, sequence: { groupOrder: 2 } } },
      { extends: true, test: { name: 'soak', include: SOAK, sequence: { groupOrder: 3 } } },
      { extends: true, test: { name: 'cluster', include: CLUSTER, sequence: { groupOrder: 4 } } },
    ],
  },
})
