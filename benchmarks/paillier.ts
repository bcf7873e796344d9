/**
 * Paillier: @krain/he against paillier-bigint 3.4.3, interleaved in one process, on the same keys
 * (our key converted with toPaillierBigint, g = n + 1 on both sides) and the same messages,
 * at 2048 and 3072 bits.
 *
 *   npm run bench -- paillier
 *
 * Rows: keygen (each library's own), encrypt (our default DJN path; uniform m ∈ Z_n and 32-bit
 * m), encrypt by our standard r^n path and by CRT (informative), decrypt, add, scalar multiply
 * (32-bit scalar), and the cost per packed 32-bit value (ours: one DJN encryption of a packed
 * plaintext divided by its slots; paillier-bigint: one encryption per value). The one-off DJN
 * table build is reported on its own.
 */
import * as pb from 'paillier-bigint'
import {
  add,
  createPacker,
  decrypt,
  encrypt,
  encryptWithPrivateKey,
  generateKeyPairSync,
  mulPlain,
  toPaillierBigint,
  type PaillierCiphertext,
} from '@krain/he'
import { compare, lowerIsBetterRow, opsRow, writeResult, type Row, type Stats } from './lib.js'

const ANCHOR = 'paillier-bigint 3.4.3'

function randomBelow(n: bigint): bigint {
  const bytes = new Uint8Array(Math.ceil(n.toString(2).length / 8) + 8)
  crypto.getRandomValues(bytes)
  let x = 0n
  for (const b of bytes) x = (x << 8n) | BigInt(b)
  return x % n
}

/** Cycle through a fixed list, one cursor per side, so both sides see the same inputs in the same order. */
function cycler<T>(items: T[]): () => T {
  let i = 0
  return () => items[i++ % items.length]!
}

function scale(s: Stats, k: number): Stats {
  return { median: s.median / k, min: s.min / k, max: s.max / k, samples: s.samples.map((x) => x / k) }
}

/**
 * compare() with ours run `k` times per sample (and its time divided by k), so that one sample of
 * ours lasts about as long as one of the anchor: on a shared, loaded machine a 2 ms operation and
 * a 100 ms one are otherwise preempted very differently and their medians stop being comparable.
 */
async function compareBatched(p: { ours: () => unknown; anchor: () => unknown; k: number; samples: number }): Promise<{ ours: Stats; anchor: Stats }> {
  const t = await compare({
    ours: () => {
      for (let i = 0; i < p.k; i++) p.ours()
    },
    anchor: p.anchor,
    samples: p.samples,
  })
  return { ours: scale(t.ours, p.k), anchor: t.anchor }
}

export async function run(): Promise<void> {
  const rows: Row[] = []
  const sizes = process.env.PAILLIER_BENCH_BITS ? process.env.PAILLIER_BENCH_BITS.split(',').map(Number) : [2048, 3072]
  for (const bits of sizes) {
    console.log(`\n--- ${bits} bits`)
    // keygen: each library's own generator (ours: sieve + Miller–Rabin on sliding-window modPow;
    // paillier-bigint: bigint-crypto-utils prime() with its worker thread), simple variant g = n + 1
    const kg = await compare({ ours: () => generateKeyPairSync({ bits }), anchor: () => pb.generateRandomKeys(bits, true), samples: 3, warmup: 0 })
    rows.push(opsRow(`keygen ${bits}`, kg, ANCHOR))
    console.log(rows.at(-1))

    const { publicKey, privateKey } = generateKeyPairSync({ bits })
    const theirs = toPaillierBigint({ publicKey, privateKey })
    const tPub = theirs.publicKey
    const tPriv = theirs.privateKey!
    const n = publicKey.n

    const t0 = performance.now()
    const { window } = publicKey.djnTable()
    const tableMs = performance.now() - t0
    rows.push(lowerIsBetterRow(`DJN table build ${bits} (one-off per key, default window w = ${window})`, 'ms', tableMs, null, null))
    privateKey.crtTables()

    const full = Array.from({ length: 16 }, () => randomBelow(n))
    const small = Array.from({ length: 16 }, () => randomBelow(1n << 32n))
    const samples = bits === 2048 ? 9 : 7

    for (const [label, msgs] of [['m uniform in Z_n', full], ['32-bit m', small]] as const) {
      const a = cycler(msgs)
      const b = cycler(msgs)
      const t = await compareBatched({ ours: () => encrypt(publicKey, a()), anchor: () => tPub.encrypt(b()), samples, k: 16 })
      rows.push(opsRow(`encrypt ${bits} (${label})`, t, ANCHOR, 40))
      console.log(rows.at(-1))
    }
    {
      const a = cycler(full)
      const b = cycler(full)
      const t = await compare({ ours: () => encrypt(publicKey, a(), { method: 'standard' }), anchor: () => tPub.encrypt(b()), samples: 5 })
      rows.push({ ...opsRow(`encrypt ${bits}, ours standard r^n path (m uniform)`, t, ANCHOR), note: 'no short-exponent assumption' })
      const c = cycler(full)
      const d = cycler(full)
      const t2 = await compareBatched({ ours: () => encryptWithPrivateKey(privateKey, c()), anchor: () => tPub.encrypt(d()), samples, k: 16 })
      rows.push({ ...opsRow(`encrypt ${bits}, ours CRT with private key (m uniform)`, t2, ANCHOR), note: 'private-key holders only' })
    }
    {
      const cts = full.map((m) => encrypt(publicKey, m))
      const a = cycler(cts)
      const b = cycler(cts.map((c) => c.value))
      const t = await compareBatched({ ours: () => decrypt(privateKey, a()), anchor: () => tPriv.decrypt(b()), samples, k: 4 })
      rows.push(opsRow(`decrypt ${bits}`, t, ANCHOR, 2.5))
      console.log(rows.at(-1))

      const pairs: [PaillierCiphertext, PaillierCiphertext][] = cts.map((c, i) => [c, cts[(i + 1) % cts.length]!])
      const pa = cycler(pairs)
      const pbb = cycler(pairs.map(([x, y]) => [x.value, y.value] as const))
      const tAdd = await compare({ ours: () => add(...pa()), anchor: () => tPub.addition(...pbb()), samples, ops: 200 })
      rows.push(opsRow(`add ${bits}`, tAdd, ANCHOR))

      const ks = small.map((k) => k | 1n)
      const sa = cycler(cts.map((c, i) => [c, ks[i]!] as const))
      const sb = cycler(cts.map((c, i) => [c.value, ks[i]!] as const))
      const tMul = await compare({
        ours: () => {
          const [c, k] = sa()
          return mulPlain(c, k)
        },
        anchor: () => {
          const [c, k] = sb()
          return tPub.multiply(c, k)
        },
        samples,
        ops: 10,
      })
      rows.push(opsRow(`scalar multiply ${bits} (32-bit scalar)`, tMul, ANCHOR))
      console.log(rows.at(-2), rows.at(-1))
    }
    {
      // cost per packed 32-bit value: signed 32-bit values, headroom for 1023 additions
      const packer = createPacker({ publicKey, valueBits: 32, additions: 1023 })
      const vectors = Array.from({ length: 8 }, () => Array.from({ length: packer.slots }, () => Number(randomBelow(1n << 32n)) - 2 ** 31))
      const values = vectors.flat().map((v) => BigInt(v) + (1n << 31n)) // the anchor encrypts each value (as unsigned)
      const a = cycler(vectors)
      const b = cycler(values)
      const t = await compareBatched({ ours: () => packer.encrypt(a()), anchor: () => tPub.encrypt(b()), samples, k: 16 })
      const perValue = { ours: scale(t.ours, packer.slots), anchor: t.anchor }
      rows.push({ ...opsRow(`encrypt per packed 32-bit value ${bits} (${packer.slots} per ciphertext, headroom 1023 additions)`, perValue, ANCHOR, 1000), unit: 'values/s' })
      console.log(rows.at(-1))
      const packed = vectors.map((v) => packer.encrypt(v))
      const pc = cycler(packed)
      const ac = cycler(values.slice(0, 16).map((m) => tPub.encrypt(m)))
      const td = await compareBatched({ ours: () => packer.decrypt(privateKey, pc()), anchor: () => tPriv.decrypt(ac()), samples: 5, k: 4 })
      rows.push({ ...opsRow(`decrypt per packed 32-bit value ${bits}`, { ours: scale(td.ours, packer.slots), anchor: td.anchor }, ANCHOR), unit: 'values/s' })
    }
  }
  writeResult('paillier', rows)
}
