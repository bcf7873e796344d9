/**
 * @module artifacts
 * Paths of the committed membership-circuit artifacts (DEVELOPMENT-ONLY trusted setup; see
 * `circuits/artifacts/manifest.json`).
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package root: next to this source file, or the installed package when this code was bundled (the SDK's plain-Node build). */
function packageRoot(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
  if (existsSync(join(here, 'circuits', 'artifacts'))) return here
  try {
    return dirname(createRequire(import.meta.url).resolve('@krain/identity/package.json'))
  } catch {
    return here
  }
}

/** Directory of `membership.wasm`, `membership.zkey`, `membership.vkey.json` (the Solidity verifier lives in contracts/src). */
export const MEMBERSHIP_ARTIFACTS_DIR = join(packageRoot(), 'circuits', 'artifacts')

/** Artifact paths. */
export const membershipArtifacts = {
  wasm: join(MEMBERSHIP_ARTIFACTS_DIR, 'membership.wasm'),
  zkey: join(MEMBERSHIP_ARTIFACTS_DIR, 'membership.zkey'),
  vkey: join(MEMBERSHIP_ARTIFACTS_DIR, 'membership.vkey.json'),
} as const
