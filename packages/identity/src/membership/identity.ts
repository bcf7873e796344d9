/**
 * @module identity
 * An anonymous identity: a secret field element and its commitment `Poseidon(secret)`.
 * Semaphore v4 commits to an EdDSA public key so the identity can also sign; Krain signs with
 * wallets and DIDs instead, so the commitment is the one-input Poseidon of the secret (fewer
 * constraints: no BabyJub scalar multiplication in the circuit).
 */
import { randomBytes } from 'node:crypto'
import { aFieldElement } from '@krain/core'
import { poseidon, SNARK_FIELD } from './poseidon.js'

/** A member's identity. `secret` must never leave its owner. */
export type Identity = {
  /** The secret (a field element). Never serialise it into a request. */
  readonly secret: bigint
  /** `Poseidon(secret)`: the public leaf of the group tree. */
  readonly commitment: bigint
}

/**
 * Create an identity from a fresh random secret, or from a given one.
 * @param secret - optional secret field element (`0 < secret < r`)
 * @returns the identity (secret and commitment); its `toJSON` hides the secret
 * @throws RangeError if `secret` is not a field element
 * @example
 * ```ts
 * const id = await createIdentity()
 * group.add(id.commitment)
 * ```
 */
export async function createIdentity(secret?: bigint): Promise<Identity> {
  let s: bigint
  if (secret === undefined) {
    do s = BigInt('0x' + randomBytes(32).toString('hex')) % SNARK_FIELD
    while (s === 0n)
  } else {
    s = aFieldElement(secret, 'secret', SNARK_FIELD)
    if (s === 0n) throw new RangeError('"secret" expected a non-zero field element, got 0')
  }
  const commitment = await poseidon([s])
  const id = { commitment } as { secret: bigint; commitment: bigint; toJSON(): unknown }
  Object.defineProperty(id, 'secret', { value: s, enumerable: false })
  Object.defineProperty(id, 'toJSON', { value: () => ({ commitment: commitment.toString() }), enumerable: false })
  return Object.freeze(id)
}
