/**
 * @module artifacts
 * Paths of the committed membership-circuit artifacts (DEVELOPMENT-ONLY trusted setup; see
 * `circuits/artifacts/manifest.json`).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Directory of `membership.wasm`, `membership.zkey`, `membership.vkey.json`, `MembershipVerifier.sol`. */
export const MEMBERSHIP_ARTIFACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'circuits', 'artifacts')

/** Artifact paths. */
export const membershipArtifacts = {
  wasm: join(MEMBERSHIP_ARTIFACTS_DIR, 'membership.wasm'),
  zkey: join(MEMBERSHIP_ARTIFACTS_DIR, 'membership.zkey'),
  vkey: join(MEMBERSHIP_ARTIFACTS_DIR, 'membership.vkey.json'),
} as const
