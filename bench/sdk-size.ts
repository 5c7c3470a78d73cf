import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { ROOT } from '../test/helpers/collector'

export interface SdkSize {
  name: string
  version: string
  minified: number
  gzip: number
  how: string
}

/** The installed version, read from the package's folder (not every package exports its package.json). */
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version

/** A site's whole download: the entry bundled for browsers and minified by one tool for all, then gzip -9. */
async function bundled(name: string, pkg: string, entry: string): Promise<SdkSize> {
  const out = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  const code = out.outputFiles[0]!.contents
  return {
    name,
    version: versionOf(pkg),
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    how: 'esbuild bundle of the package, minified, gzip -9',
  }
}

/** Umami's tracker is the file src/tracker/index.js of its npm package (whose dependencies are the whole app). */
async function umami(cacheDir: string): Promise<SdkSize> {
  const version = '2.10.0'
  const dir = join(cacheDir, `umami-${version}`)
  const tracker = join(dir, 'package/src/tracker/index.js')
  if (!existsSync(tracker)) {
    mkdirSync(dir, { recursive: true })
    execFileSync('npm', ['pack', `umami@${version}`, '--silent'], { cwd: dir, stdio: 'pipe' })
    execFileSync('tar', ['xzf', `umami-${version}.tgz`, 'package/src/tracker/index.js'], { cwd: dir })
  }
  const out = await build({
    entryPoints: [tracker],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
  })
  const code = out.outputFiles[0]!.contents
  return {
    name: 'Umami tracker',
    version,
    minified: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    how: 'src/tracker/index.js of the npm package, esbuild-minified, gzip -9',
  }
}

/** tp.js as the collector serves it, next to the trackers of four peers, measured in the same run. */
export async function benchSdkSize(): Promise<SdkSize[]> {
  execFileSync('pnpm', ['--filter', '@touchpoint/browser', 'run', 'build'], { cwd: ROOT, stdio: 'pipe' })
  const tp = readFileSync(join(ROOT, 'packages/browser/dist/tp.js'))
  return [
    {
      name: 'Touchpoint tp.js',
      version: versionOf('../packages/browser'),
      minified: tp.length,
      gzip: gzipSync(tp, { level: 9 }).length,
      how: 'dist/tp.js as served (minified by tsup, then terser), gzip -9',
    },
    await bundled(
      'Plausible tracker',
      '@plausible-analytics/tracker',
      "import { init } from '@plausible-analytics/tracker'; init({ domain: 'example.com' })",
    ),
    await umami(join(ROOT, 'bench/out/cache')),
    await bundled(
      'Segment analytics-next',
      '@segment/analytics-next',
      "import { AnalyticsBrowser } from '@segment/analytics-next'; AnalyticsBrowser.load({ writeKey: 'k' })",
    ),
    await bundled('posthog-js', 'posthog-js', "import posthog from 'posthog-js'; posthog.init('k')"),
  ]
}
