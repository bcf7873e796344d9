/**
 * @module paths
 * Where the contracts pipeline reads and writes: Solidity sources, generated verifiers, the JSON
 * artifacts and the typed module `@krain/chain` imports.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** `contracts/` */
export const contractsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The repository root. */
export const repoDir = join(contractsDir, '..')
/** Hand-written Solidity sources. */
export const srcDir = join(contractsDir, 'src')
/** snarkjs-generated verifiers (one per circuit). */
export const verifiersDir = join(srcDir, 'verifiers')
/** Compiled JSON artifacts. */
export const artifactsDir = join(contractsDir, 'artifacts')
/** The circuits' build output (`<name>/<name>.zkey`, `verification_key.json`, `manifest.json`). */
export const circuitArtifactsDir = join(repoDir, 'circuits', 'artifacts')
/** The typed module generated for `@krain/chain`. */
export const generatedModulePath = join(repoDir, 'packages', 'chain', 'src', 'generated', 'contracts.ts')
