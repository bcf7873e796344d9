/**
 * The committed membership artifacts match their manifest (sha256), the manifest names the
 * current circuit source and the ptau, and the contracts' copy of the verifier is the same file.
 * Regenerate with: npx tsx packages/identity/circuits/scripts/build.ts (then npm run compile -w @krain/contracts
 * after copying MembershipVerifier.sol to contracts/src/).
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
  it('the contracts compile the same verifier', () => {
    expect(readFileSync(join(root, 'contracts', 'src', 'MembershipVerifier.sol'), 'utf8'), 'copy packages/identity/circuits/artifacts/MembershipVerifier.sol to contracts/src/').toBe(readFileSync(join(MEMBERSHIP_ARTIFACTS_DIR, 'MembershipVerifier.sol'), 'utf8'))
  })
})
