/**
 * @module random
 * Uniform residues from the platform CSPRNG (`crypto.getRandomValues`, present in Node ≥ 19 and
 * every browser), by rejection sampling on 31-bit words so no residue is biased.
 */

const CHUNK = 16384 // getRandomValues fills at most 65,536 bytes per call

/** Fill `out` with CSPRNG words. */
export function randomWords(out: Uint32Array): Uint32Array {
  for (let off = 0; off < out.length; off += CHUNK) globalThis.crypto.getRandomValues(out.subarray(off, Math.min(out.length, off + CHUNK)))
  return out
}

/** Fill `out` with independent uniform residues in [0, p), p < 2^31. */
export function randomResidues(out: Uint32Array, p: number): Uint32Array {
  randomWords(out)
  const one = new Uint32Array(1)
  for (let i = 0; i < out.length; i++) {
    let v = out[i]! & 0x7fffffff
    while (v >= p) v = randomWords(one)[0]! & 0x7fffffff
    out[i] = v
  }
  return out
}
