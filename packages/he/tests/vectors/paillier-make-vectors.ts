/**
 * Regenerates paillier-kat.json, the known-answer vectors of @krain/he's Paillier, from
 * INDEPENDENT code: paillier-bigint 3.4.3 (`new PublicKey(n, n + 1).encrypt(m, r)`) for the
 * standard path, and bigint-crypto-utils' `modPow` for the DJN path ((1 + m·n)·h^α mod n², with h
 * defined in src/paillier/keys.ts as (−x² mod n)^n mod n², x = SHA-256 counter-mode hash of n).
 *
 *   node --conditions=source --import tsx packages/he/tests/vectors/paillier-make-vectors.ts
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as pb from 'paillier-bigint'
import * as bcu from 'bigint-crypto-utils'
import { deserializePrivateKey } from '../../src/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const keys = JSON.parse(readFileSync(join(here, '../fixtures/paillier-keys.json'), 'utf8'))
const hex = (x: bigint): string => x.toString(16)

const standard = [
  { p: 7n, q: 11n, m: 42n, r: 23n, source: 'textbook sizes (p = 7, q = 11, as in Wikipedia\'s example but with g = n + 1)' },
  { p: 2147483647n, q: 2305843009213693951n, m: 123456789012345n, r: 98765432109876543n, source: 'Mersenne primes 2^31 − 1 and 2^61 − 1' },
]
const vectors: unknown[] = []
for (const v of standard) {
  const n = v.p * v.q
  const c = new pb.PublicKey(n, n + 1n).encrypt(v.m, v.r)
  vectors.push({ method: 'standard', p: hex(v.p), q: hex(v.q), m: hex(v.m), r: hex(v.r), c: hex(c), source: `${v.source}; c from paillier-bigint 3.4.3 PublicKey(n, n+1).encrypt(m, r)` })
}
for (const name of ['k512', 'k1024']) {
  const sk = deserializePrivateKey(keys[name], { unsafeAllowSmallKeyForTests: true })
  const n = sk.n
  const m = (n * 2n) / 3n
  const r = (n / 5n) | 1n
  const c = new pb.PublicKey(n, n + 1n).encrypt(m, r)
  vectors.push({ method: 'standard', key: name, m: hex(m), r: hex(r), c: hex(c), source: 'fixture key; c from paillier-bigint 3.4.3 PublicKey(n, n+1).encrypt(m, r)' })
  const n2 = n * n
  const alpha = (1n << BigInt(Math.ceil(sk.publicKey.bits / 2))) - 12345n
  const h = sk.publicKey.h
  const cDjn = (((1n + m * n) % n2) * bcu.modPow(h, alpha, n2)) % n2
  vectors.push({ method: 'djn', key: name, m: hex(m), alpha: hex(alpha), h: hex(h), c: hex(cDjn), source: 'fixture key; c = (1 + m·n)·h^α mod n² with bigint-crypto-utils 3.3.0 modPow' })
}
writeFileSync(join(here, 'paillier-kat.json'), JSON.stringify({ note: 'Paillier known-answer vectors (hex). See paillier-make-vectors.ts for how each was computed.', vectors }, null, 2) + '\n')
console.log(`wrote ${vectors.length} vectors`)
