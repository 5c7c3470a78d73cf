import { defineConfig } from 'tsup'

/**
 * ESM and CJS, with the wire schemas bundled in so the published package needs only zod. The declarations
 * inline @touchpoint/schema's own built declarations (build that package first: `pnpm -r run build` does).
 */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: {
    resolve: [/^@touchpoint\/schema$/],
    compilerOptions: { paths: { '@touchpoint/schema': ['../schema/dist/index.d.ts'] } },
  },
  clean: true,
  target: 'node20',
  noExternal: ['@touchpoint/schema'],
  external: ['zod'],
})
