import { defineProject } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineProject({ ...sharedTest, test: { name: 'mpc', include: ['tests/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } })
