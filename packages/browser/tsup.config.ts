import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))
const define = { __VERSION__: JSON.stringify(version) }

/** Two builds over one core: the IIFE tp.js for the script tag, and ESM with types for bundlers. */
export default defineConfig([
  {
    entry: { tp: 'src/tag.ts' },
    format: ['iife'],
    outExtension: () => ({ js: '.js' }),
    minify: true,
    target: 'es2020',
    define,
    clean: true,
  },
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    target: 'es2020',
    define,
  },
])
