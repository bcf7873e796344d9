import { defineProject } from 'vitest/config'
import { sharedTest } from '../../vitest.shared.js'

export default defineProject({ ...sharedTest, test: { name: 'models', include: ['tests/**/*.test.ts'] } })
