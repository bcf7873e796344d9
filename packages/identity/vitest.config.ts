import { defineProject } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineProject({ ...sharedTest, test: { name: 'identity', include: ['tests/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 } })
