import { defineProject } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

// Proofs are real (seconds each, on a shared 2-core machine) and made once per file in beforeAll.
export default defineProject({ ...sharedTest, test: { name: 'zk', include: ['tests/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 180_000 } })
