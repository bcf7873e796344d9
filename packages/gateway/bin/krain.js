#!/usr/bin/env node
// The `krain` CLI. A built package runs dist/cli/main.js; from a source checkout it runs the
// TypeScript entry with tsx (in a child process, so the "source" export condition applies).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))
if (existsSync(built)) {
  await import(built)
} else {
  const entry = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
  const tsx = import.meta.resolve('tsx')
  const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, entry, ...process.argv.slice(2)], { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}
