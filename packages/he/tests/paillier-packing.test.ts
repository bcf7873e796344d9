import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HeKeyMismatchError, PaillierPackingOverflowError, HeScaleError, createPacker } from '../src/index.js'
import { testKeys } from './fixtures/paillier-keys.js'

const { publicKey, privateKey } = testKeys('k512')
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })

describe('createPacker', () => {
  it('sizes slots as valueBits + ⌈log₂(additions + 2)⌉ + scalarBits', () => {
    const p = createPacker({ publicKey, valueBits: 32, additions: 1023 })
    expect(p.slotBits).toBe(43)
    expect(p.slots).toBe(Math.floor(510 / 43))
    expect(createPacker({ publicKey: testKeys('k2048').publicKey }).slots).toBe(47)
    expect(createPacker({ publicKey, valueBits: 16, additions: 0, scalarBits: 8 }).slotBits).toBe(25)
  })
  it.each([
    ['no key', () => createPacker({} as never), TypeError],
    ['valueBits 1', () => createPacker({ publicKey, valueBits: 1 }), RangeError],
    ['a slot wider than the key', () => createPacker({ publicKey, valueBits: 600 }), RangeError],
    ['negative additions', () => createPacker({ publicKey, additions: -1 }), RangeError],
  ])('refuses %s', (_, f, E) => {
    expect(f).toThrow(E)
  })
})

describe('PaillierPacker', () => {
  const packer = createPacker({ publicKey, valueBits: 32, additions: 3, scalarBits: 4 })
  it('round-trips any list of signed 32-bit values', () => {
    fc.assert(
      fc.property(fc.array(int32, { minLength: 0, maxLength: packer.slots }), (xs) => {
        expect(packer.decryptNumbers(privateKey, packer.encrypt(xs))).toEqual(xs)
      }),
      { numRuns: 30 },
    )
  })
  it('adds slot-wise up to the declared number of additions, and scalar-multiplies', () => {
    fc.assert(
      fc.property(fc.array(fc.array(int32, { minLength: packer.slots, maxLength: packer.slots }), { minLength: 4, maxLength: 4 }), fc.integer({ min: -7, max: 7 }), (rows, k) => {
        const s = packer.sum(rows.map((r) => packer.encrypt(r)))
        const expected = rows[0]!.map((_, i) => rows.reduce((acc, r) => acc + r[i]!, 0))
        expect(packer.decryptNumbers(privateKey, s)).toEqual(expected)
        const one = packer.encrypt(rows[0]!)
        expect(packer.decryptNumbers(privateKey, packer.mulPlain(one, k))).toEqual(rows[0]!.map((v) => v * k + 0))
      }),
      { numRuns: 10 },
    )
  })
  it('holds the extreme values: four times −2^31 sum exactly', () => {
    const min = Array.from({ length: packer.slots }, () => -(2 ** 31))
    const s = packer.sum([packer.encrypt(min), packer.encrypt(min), packer.encrypt(min), packer.encrypt(min)])
    expect(packer.decrypt(privateKey, s)).toEqual(min.map(() => -(2n ** 33n)))
  })
  it('throws HE_PACKING_OVERFLOW when the declared headroom is exceeded, never returning garbage', () => {
    const p = createPacker({ publicKey, valueBits: 32, additions: 3 })
    const c = p.encrypt([1, 2, 3])
    const four = p.sum([c, c, c, c])
    expect(() => p.add(four, c)).toThrow(PaillierPackingOverflowError)
    expect(() => p.mulPlain(c, 5)).toThrow(expect.objectContaining({ code: 'HE_PACKING_OVERFLOW' }))
    expect(p.decryptNumbers(privateKey, p.mulPlain(c, -4))).toEqual([-4, -8, -12])
  })
  it('refuses values out of range and mismatched layouts or keys', () => {
    expect(() => packer.encrypt([2 ** 31])).toThrow(RangeError)
    expect(() => packer.encrypt([1.5])).toThrow(TypeError)
    expect(() => packer.encrypt(new Array(packer.slots + 1).fill(0))).toThrow(RangeError)
    const other = createPacker({ publicKey, valueBits: 16 })
    expect(() => packer.add(packer.encrypt([1]), other.encrypt([1]))).toThrow(HeScaleError)
    const foreign = createPacker({ publicKey: testKeys('k1024').publicKey, valueBits: 32, additions: 3, scalarBits: 4 })
    expect(() => packer.add(packer.encrypt([1]), foreign.encrypt([1]))).toThrow(HeKeyMismatchError)
  })
  it('encryptMany splits long vectors across ciphertexts', () => {
    const xs = Array.from({ length: 3 * packer.slots + 2 }, (_, i) => (i % 2 ? -i : i) * 1000)
    const cts = packer.encryptMany(xs)
    expect(cts).toHaveLength(4)
    expect(cts.flatMap((c) => packer.decryptNumbers(privateKey, c))).toEqual(xs)
  })
})
