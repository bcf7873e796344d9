/**
 * Worker of `@krain/psi` (plain JavaScript so the same file runs under tsx, vitest and the built
 * package). Two jobs, both on packed 32-byte records in transferred ArrayBuffers:
 *  - `hash`:  identifiers -> Elligator 2 (RFC 9380 map_to_curve_elligator2_curve25519) of
 *             SHA-512(DST || id) mod p -> X25519(k, u)
 *  - `blind`: u-coordinates -> X25519(k, u)
 * X25519 itself is node:crypto (OpenSSL); a low-order input (all-zero output) is reported by index.
 */
import { parentPort } from 'node:worker_threads'
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto'
import { _map_to_curve_elligator2_curve25519 } from '@noble/curves/ed25519.js'
import { Field } from '@noble/curves/abstract/modular.js'

const P = 2n ** 255n - 19n
const Fp = Field(P)
const SPKI = Buffer.from('302a300506032b656e032100', 'hex')
const PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex')
const DST = Buffer.from('KRAIN-PSI-V1_curve25519_SHA-512_ELL2_NU_')

function privKey(raw) {
  return createPrivateKey({ key: Buffer.concat([PKCS8, Buffer.from(raw)]), format: 'der', type: 'pkcs8' })
}

function blindInto(priv, src, out, n, bad) {
  const spki = Buffer.alloc(44)
  SPKI.copy(spki, 0)
  for (let i = 0; i < n; i++) {
    src.copy(spki, 12, i * 32, i * 32 + 32)
    try {
      const pub = createPublicKey({ key: spki, format: 'der', type: 'spki' })
      diffieHellman({ privateKey: priv, publicKey: pub }).copy(out, i * 32)
    } catch {
      bad.push(i)
    }
  }
}

function le32(x) {
  const b = Buffer.alloc(32)
  for (let i = 0; i < 32; i++) { b[i] = Number(x & 0xffn); x >>= 8n }
  return b
}

parentPort.on('message', (msg) => {
  const { id, job, key, data, offsets } = msg
  try {
    const priv = privKey(key)
    const bad = []
    if (job === 'hash') {
      const bytes = Buffer.from(data)
      const n = offsets.length - 1
      const nums = new Array(n)
      const dens = new Array(n)
      for (let i = 0; i < n; i++) {
        const h = createHash('sha512').update(DST).update(bytes.subarray(offsets[i], offsets[i + 1])).digest()
        let u = 0n
        for (let j = 63; j >= 0; j--) u = (u << 8n) | BigInt(h[j])
        const { xMn, xMd } = _map_to_curve_elligator2_curve25519(u % P)
        nums[i] = xMn
        dens[i] = xMd
      }
      const inv = Fp.invertBatch(dens)
      const us = Buffer.alloc(n * 32)
      for (let i = 0; i < n; i++) le32(Fp.mul(nums[i], inv[i])).copy(us, i * 32)
      const out = Buffer.alloc(n * 32)
      blindInto(priv, us, out, n, bad)
      const ab = out.buffer.slice(out.byteOffset, out.byteOffset + out.length)
      parentPort.postMessage({ id, out: ab, bad }, [ab])
    } else {
      const src = Buffer.from(data)
      const n = src.length / 32
      const out = Buffer.alloc(n * 32)
      blindInto(priv, src, out, n, bad)
      const ab = out.buffer.slice(out.byteOffset, out.byteOffset + out.length)
      parentPort.postMessage({ id, out: ab, bad }, [ab])
    }
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message ? e.message : e) })
  }
})
