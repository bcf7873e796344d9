import { defineConfig } from 'vitest/config'
import { SummaryReporter } from './vitest.summary-reporter.js'

// One run over every workspace that has a vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'circuits/vitest.config.ts', 'contracts/vitest.config.ts'],
    reporters: ['default', new SummaryReporter()],
  },
})
