import { defineProject } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineProject({ ...sharedTest, test: { name: 'federated', include: ['tests/**/*.test.ts'] } })
