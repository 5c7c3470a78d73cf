import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const PKG = resolve(import.meta.dirname, '..')
// tsup is the workspace's dev dependency (the root's), like every package's build
const TSUP = join(
  resolve(createRequire(join(PKG, '../../package.json')).resolve('tsup/package.json'), '..'),
  'dist/cli-default.js',
)

describe('@touchpoint/node build', () => {
  it('ships ESM and CJS with types, with the wire schemas bundled and zod its only dependency', {
    timeout: 120_000,
  }, () => {
    // what `pnpm build` does: the schema package first, whose declarations this one inlines
    for (const dir of [join(PKG, '../schema'), PKG])
      execFileSync(process.execPath, [TSUP, '--silent'], { cwd: dir, stdio: 'pipe' })
    const probe = (code: string, type: 'commonjs' | 'module') =>
      execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
        cwd: PKG,
        encoding: 'utf8',
      }).trim()
    expect(
      probe(
        "const m = require('./dist/index.cjs'); console.log(typeof m.Touchpoint, typeof m.createEmailTracker)",
        'commonjs',
      ),
    ).toBe('function function')
    expect(
      probe(
        "const m = await import('./dist/index.js'); const t = new m.Touchpoint({ writeKey: 'k' }); console.log(typeof t.orderCompleted)",
        'module',
      ),
    ).toBe('function')
    const types = readFileSync(join(PKG, 'dist/index.d.ts'), 'utf8')
    expect(types).toContain('declare class Touchpoint')
    const imported = [
      ...readFileSync(join(PKG, 'dist/index.js'), 'utf8').matchAll(/^import .* from "([^"]+)";$/gm),
    ]
    expect(new Set(imported.map((m) => m[1]))).toEqual(new Set(['zod', 'crypto', 'timers/promises']))
    // bundled: nothing in the output still imports the workspace package
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts'])
      expect(readFileSync(join(PKG, file), 'utf8')).not.toContain('@touchpoint/schema')
  })
})
