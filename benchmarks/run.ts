/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name>` runs one (file name without
 * extension). Each benchmark file exports `run(): Promise<void>` and writes its own results.
 */
import { readdirSync } from 'node:fs'
import { benchDir } from './lib.js'

const skip = new Set(['lib.ts', 'run.ts'])
const all = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !skip.has(f) && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .sort()
const wanted = process.argv.slice(2)
const unknown = wanted.filter((w) => !all.includes(w))
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`)
  process.exit(2)
}
for (const name of wanted.length ? wanted : all) {
  console.log(`\n=== benchmark: ${name}`)
  const mod = (await import(`./${name}.js`)) as { run: () => Promise<void> }
  await mod.run()
}
process.exit(0)
