/**
 * Compile the contracts: writes `contracts/artifacts/<Name>.json` and the typed module
 * `packages/chain/src/generated/contracts.ts`.
 *
 * Run: `npm run compile -w @krain/contracts`
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { compileContracts, renderArtifact, renderTypedModule } from './lib/compile.js'
import { artifactsDir, generatedModulePath } from './lib/paths.js'

const out = compileContracts()
mkdirSync(artifactsDir, { recursive: true })
for (const f of readdirSync(artifactsDir)) if (f.endsWith('.json')) rmSync(join(artifactsDir, f))
for (const c of Object.values(out.contracts)) {
  writeFileSync(join(artifactsDir, `${c.contractName}.json`), renderArtifact(c, out.solcVersion))
  console.log(`compiled ${c.contractName}: ${(c.deployedBytecode.length - 2) / 2} bytes deployed`)
}
mkdirSync(dirname(generatedModulePath), { recursive: true })
writeFileSync(generatedModulePath, await renderTypedModule(out))
console.log(`wrote ${generatedModulePath}`)
