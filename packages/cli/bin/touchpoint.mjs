#!/usr/bin/env node
// In the workspace the CLI runs from its TypeScript source; a published package runs dist/bin.js instead.
import { register } from 'tsx/esm/api'

register()
await import('../src/bin.ts')
