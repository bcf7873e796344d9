/**
 * @module seal/guard
 * SEAL throws `Error`s, strings, numbers or WebAssembly `RuntimeError`s depending on the failure.
 * Every call into SEAL from this package goes through {@link sealCall}, which turns whatever was
 * thrown into an {@link HeSealError} (a `KrainError` with code `HE_SEAL`) and keeps the original as
 * `cause`. Errors that are already `KrainError`s pass through unchanged.
 */
import { isKrainError, toError } from '@krain/core'
import { HeSealError } from '../errors.js'

/**
 * Run `fn`, converting anything SEAL throws into an {@link HeSealError}.
 * @param what - what was being done, for the message ("rescale", "load Galois keys", ...)
 * @param fn - the SEAL call(s)
 * @returns what `fn` returned
 * @throws {HeSealError} when SEAL fails
 * @example
 * ```ts
 * const ct = sealCall('encrypt', () => encryptor.encryptSymmetric(plain))
 * ```
 */
export function sealCall<T>(what: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    if (isKrainError(e) || e instanceof TypeError || e instanceof RangeError) throw e
    const err = toError(e)
    throw new HeSealError({ shortMessage: `SEAL failed to ${what}`, details: err.message, cause: e })
  }
}
