/**
 * @module verifier/solc
 * The one Solidity compiler configuration of Krain: the `solc` npm package (solcjs) pinned to
 * {@link SOLC_VERSION}, optimizer on (200 runs), EVM version cancun (Base runs Cancun and later),
 * and no metadata hash appended to the bytecode, so the bytecode is a function of the code alone:
 * two verifiers generated from the same verification key compile to the same bytecode whatever
 * their contract name or comments, and {@link deployVerifier} reuses one deployment for both.
 * `contracts/scripts/compile.ts` compiles the committed contracts with these settings.
 *
 * Source: https://docs.soliditylang.org/en/v0.8.30/using-the-compiler.html#input-description
 */
import { createRequire } from 'node:module'
import { ChainError } from '../errors.js'

/** The pinned compiler version (`solc` in package.json is pinned to it). */
export const SOLC_VERSION = '0.8.37'

/** Compiler settings: fixed, so that the bytecode is reproducible. */
export const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  metadata: { appendCBOR: false },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const

/** One contract of a solc standard-JSON output. */
export type SolcContractOutput = { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }

/** What solc's standard-JSON `compile` returns (the parts used here). */
export type SolcOutput = {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[]
  contracts?: Record<string, Record<string, SolcContractOutput>>
}

type Solc = { version: () => string; compile: (input: string) => string }
let loaded: Solc | undefined

/**
 * Compile Solidity sources with the pinned solc and {@link SOLC_SETTINGS}.
 * @param sources - source text by file name
 * @returns solc's output; its `errors` of severity `error` are thrown
 * @throws ChainError `CHAIN_COMPILE_FAILED` when solc reports errors or the pinned solc is not installed
 */
export function compileSolidity(sources: Record<string, string>): SolcOutput & { solcVersion: string } {
  if (!loaded) {
    let solc: Solc
    try {
      solc = createRequire(import.meta.url)('solc') as Solc
    } catch (cause) {
      throw new ChainError('CHAIN_COMPILE_FAILED', { shortMessage: `the solc ${SOLC_VERSION} npm package is not installed`, cause })
    }
    if (!solc.version().startsWith(`${SOLC_VERSION}+`)) {
      throw new ChainError('CHAIN_COMPILE_FAILED', { shortMessage: `solc ${SOLC_VERSION} expected, got ${solc.version()}` })
    }
    loaded = solc
  }
  const input = { language: 'Solidity', sources: Object.fromEntries(Object.entries(sources).map(([k, content]) => [k, { content }])), settings: SOLC_SETTINGS }
  const out = JSON.parse(loaded.compile(JSON.stringify(input))) as SolcOutput
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length) {
    throw new ChainError('CHAIN_COMPILE_FAILED', { shortMessage: 'solc refused the source', details: errors.map((e) => e.formattedMessage).join('\n').slice(0, 4000) })
  }
  return { ...out, solcVersion: loaded.version() }
}
