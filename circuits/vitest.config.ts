import { defineProject } from 'vitest/config'
import { sharedTest } from '../vitest.shared.js'

// Witness tests compile small harness circuits once (beforeAll) and reuse them.
export default defineProject({ ...sharedTest, test: { name: 'circuits', include: ['tests/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 180_000 } })
