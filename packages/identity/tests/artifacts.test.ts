/**
 * The committed membership artifacts match their manifest (sha256), the manifest names the
 * current circuit source and the ptau, and contracts/src/MembershipVerifier.sol (the verifier's only copy)
 * is the one snarkjs exports from the committed zkey.
 * Regenerate with: npx tsx packages/identity/circuits/scripts/build.ts (then npm run compile -w @krain/contracts).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MEMBERSHIP_ARTIFACTS_DIR } from '../src/index.js'

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex')
const root = join(import.meta.dirname, '..', '..', '..')
const manifest = JSON.parse(readFileSync(join(MEMBERSHIP_ARTIFACTS_DIR, 'manifest.json'), 'utf8')) as { files: Record<string, string>; circomSha256: string; ptauSha256: string; setup: string; maxDepth: number }
const regen = 'stale: run npx tsx packages/identity/circuits/scripts/build.ts'

describe('membership artifacts', () => {
  it('match the manifest byte for byte', () => {
    for (const [f, h] of Object.entries(manifest.files)) expect(sha(join(MEMBERSHIP_ARTIFACTS_DIR, f)), `${f} ${regen}`).toBe(h)
  })
  it('were built from the committed circuit source at depth 20', () => {
    expect(sha(join(MEMBERSHIP_ARTIFACTS_DIR, '..', 'src', 'membership.circom')), `membership.circom changed: ${regen}`).toBe(manifest.circomSha256)
    expect(manifest.maxDepth).toBe(20)
    expect(manifest.setup).toMatch(/DEVELOPMENT ONLY/)
  })
  it('the contracts compile the verifier of the committed zkey', async () => {
    const snarkjs = await import('snarkjs')
    const templates = { groth16: readFileSync(join(root, 'node_modules', 'snarkjs', 'templates', 'verifier_groth16.sol.ejs'), 'utf8') }
    try {
      const sol = (await snarkjs.zKey.exportSolidityVerifier(join(MEMBERSHIP_ARTIFACTS_DIR, 'membership.zkey'), templates)).replace(/contract Groth16Verifier/, 'contract MembershipVerifier')
      const committed = readFileSync(join(root, 'contracts', 'src', 'MembershipVerifier.sol'), 'utf8')
      expect(committed.slice(committed.indexOf('\n') + 1), `contracts/src/MembershipVerifier.sol is stale: ${regen}`).toBe(sol)
    } finally {
      // @ts-expect-error snarkjs keeps its curve on globalThis
      await globalThis.curve_bn128?.terminate?.()
    }
  }, 60_000)
})
