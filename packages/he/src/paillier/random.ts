/**
 * @module paillier/random
 * Uniform random integers from the platform CSPRNG (`crypto.getRandomValues`).
 */

const MAX_CHUNK = 65536 // getRandomValues refuses more than 64 KiB at once

/** `bits` uniformly random bits as a non-negative bigint (< 2^bits). */
export function randomBits(bits: number): bigint {
  if (bits <= 0) return 0n
  const bytes = new Uint8Array(Math.ceil(bits / 8))
  for (let o = 0; o < bytes.length; o += MAX_CHUNK) crypto.getRandomValues(bytes.subarray(o, Math.min(o + MAX_CHUNK, bytes.length)))
  const extra = bytes.length * 8 - bits
  bytes[0]! &= 0xff >> extra
  let hex = ''
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16)
  return BigInt('0x' + hex)
}

/** A uniformly random integer in [0, max) by rejection sampling (max ≥ 1). */
export function randomBelow(max: bigint): bigint {
  const bits = max.toString(2).length
  for (;;) {
    const r = randomBits(bits)
    if (r < max) return r
  }
}
