/** The ESM build for bundlers: `import { createTracker } from '@touchpoint/browser'`. */
export { createTracker } from './core'
export type { Props, Tracker, TrackerOptions } from './types'
