import { defineConfig } from 'vitest/config'
import { SummaryReporter } from './vitest.summary-reporter.js'

// One run over every workspace that has a vitest.config.ts.
export default defineConfig({
  test: {
    // Two files at a time: most test time waits on child processes (anvil, gateways, workers, CLI
    // runs), so on the 2-core CI machine two workers cut the wall time; vitest's default is cores - 1.
    maxWorkers: 2,
    projects: ['packages/*/vitest.config.ts', 'circuits/vitest.config.ts', 'contracts/vitest.config.ts'],
    reporters: ['default', new SummaryReporter()],
  },
})
