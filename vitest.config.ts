import { defineConfig } from 'vitest/config'

/**
 * One runner for every tier: unit tests (`*.test.ts`) beside the code, integration tests that start real
 * services (`*.integration.test.ts`), browser tests in real Chromium (`*.browser.test.ts`).
 * Each file runs in its own process: chDB allows one data directory per process.
 */
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
