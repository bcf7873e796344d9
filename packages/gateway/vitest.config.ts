import { defineProject } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineProject({ ...sharedTest, test: { name: 'gateway', include: ['tests/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } })
