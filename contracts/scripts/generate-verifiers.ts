/**
 * Regenerate `contracts/src/verifiers/Groth16Verifier<Name>.sol` from every zkey in
 * `circuits/artifacts/` with snarkjs, then recompile (run `compile.ts` afterwards).
 *
 * Run: `npm run generate-verifiers -w @krain/contracts && npm run compile -w @krain/contracts`
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { verifiersDir } from './lib/paths.js'
import { circuitsWithZkey, generateVerifierSource, verifierSourcePath } from './lib/verifiers.js'

const circuits = circuitsWithZkey()
if (circuits.length === 0) console.log('no zkey under circuits/artifacts/: nothing to generate')
mkdirSync(verifiersDir, { recursive: true })
for (const circuit of circuits) {
  writeFileSync(verifierSourcePath(circuit), await generateVerifierSource(circuit))
  console.log(`generated ${verifierSourcePath(circuit)}`)
}
// snarkjs keeps its curve's worker threads alive: release them so the script exits
await (globalThis as { curve_bn128?: { terminate: () => Promise<void> } }).curve_bn128?.terminate()
