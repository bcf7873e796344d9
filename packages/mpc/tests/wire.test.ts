import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { generatePrivateKey } from 'viem/accounts'
import { Coordinator, Party, MpcError, addressOf, createSession, decodeCbor, decodeMessage, decodeResult, encodeCbor, encodeMessage, encodeResult, fromJsonForm, toJsonForm, type AggregateResult, type SharesMessage } from '../src/index.js'

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const unhex = (s: string): Uint8Array => new Uint8Array(s.match(/../g)!.map((x) => parseInt(x, 16)))
const none = { bytesFields: new Set<string>() }

describe('encodeCbor / decodeCbor', () => {
  // RFC 8949 Appendix A (the items of the subset)
  const vectors: [unknown, string][] = [
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'],
    [-1, '20'],
    [-1000, '3903e7'],
    [false, 'f4'],
    [true, 'f5'],
    [null, 'f6'],
    ['', '60'],
    ['IETF', '6449455446'],
    ['\u00fc', '62c3bc'],
    [[1, [2, 3], [4, 5]], '8301820203820405'],
    [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
  ]
  it('encodes and decodes the RFC 8949 examples', () => {
    for (const [v, h] of vectors) {
      expect(hex(encodeCbor(v, none))).toBe(h)
      expect(decodeCbor(unhex(h))).toEqual(v)
    }
  })

  it('carries canonical base64 under a bytes field as a byte string, and nothing else', () => {
    const opts = { bytesFields: new Set(['c']) }
    expect(hex(encodeCbor({ c: 'AQID' }, opts))).toBe('a1616343010203') // h'010203'
    expect(decodeCbor(encodeCbor({ c: 'AQID' }, opts))).toEqual({ c: 'AQID' })
    // not canonical: stays text, so it decodes to the very same string
    for (const odd of ['AQI', 'AQ-D', 'AQ_D', 'AQ D', 'AQ==AQID', 'AR==', 'AQJ=', 'QUJ\u00e9', '****']) {
      const bytes = encodeCbor({ c: odd }, opts)
      expect(bytes[3]! >> 5, odd).toBe(3)
      expect(decodeCbor(bytes)).toEqual({ c: odd })
    }
    expect(decodeCbor(encodeCbor({ d: 'AQID' }, opts))).toEqual({ d: 'AQID' })
  })

  it('round-trips any JSON value of the subset (property)', () => {
    const json = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.base64String(), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 })),
    })).v
    fc.assert(fc.property(json, (v) => {
      expect(decodeCbor(encodeCbor(v, { bytesFields: new Set(['', 'a', 'b']) }))).toEqual(v)
    }))
  })

  it('refuses bytes outside the subset with MPC_MALFORMED_MESSAGE', () => {
    const junk = ['', 'f97c00' /* float16 */, 'c0' /* tag */, '5f' /* indefinite bytes */, '9f' /* indefinite array */, '1817' /* non-shortest */, '190017', '6461' /* truncated text */, '43' /* truncated bytes */, '8201' /* truncated array */, 'a1016161' /* non-text key */, 'a2616101616102' /* duplicate key */, '0000' /* trailing */, '62c328' /* bad UTF-8 */, 'f7' /* undefined */, '1b0020000000000000' /* > 2^53 */, '9b' + 'ff'.repeat(8), '81'.repeat(40) + '00']
    for (const h of junk) {
      expect(() => decodeCbor(h === '' ? new Uint8Array(0) : unhex(h)), h).toThrow(MpcError)
      try {
        decodeCbor(h === '' ? new Uint8Array(0) : unhex(h))
      } catch (e) {
        expect((e as MpcError).code).toBe('MPC_MALFORMED_MESSAGE')
      }
    }
    expect(() => encodeCbor(1.5, none)).toThrow(TypeError)
    expect(() => encodeCbor(() => 1, none)).toThrow(TypeError)
  })

  it('keeps "__proto__" a plain key', () => {
    const v = decodeCbor(unhex('a1695f5f70726f746f5f5fa0')) as Record<string, unknown>
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype)
    expect(Object.keys(v)).toEqual(['__proto__'])
  })
})

describe('encodeMessage / decodeMessage', () => {
  it('carries every message of a session; the coordinator accepts the decoded messages and the sum is right', () => {
    const now = Date.now()
    const keys = Array.from({ length: 4 }, () => generatePrivateKey())
    const ck = generatePrivateKey()
    const config = createSession({ coordinator: addressOf(ck), parties: keys.map(addressOf), threshold: 2, length: 50, bound: 10, deadlines: { join: now + 60_000, share: now + 120_000, sum: now + 180_000 } })
    const c = new Coordinator({ config, identityKey: ck })
    const parties = keys.map((k) => new Party({ config, identityKey: k }))
    const wire = <T>(m: T): T => decodeMessage(encodeMessage(m)) as T
    for (const p of parties) expect(c.receive(wire(p.join()), now).outcome).toBe('accepted')
    const roster = wire(c.roster())
    const values = Array.from({ length: 50 }, (_, i) => i / 4 - 3)
    for (const p of parties) {
      const m = p.share(values, roster)
      const bytes = encodeMessage(m)
      expect(wire(m)).toEqual(m)
      expect(bytes.length).toBeLessThan(JSON.stringify(toJsonForm(m)).length * 0.8)
      expect(c.receive(decodeMessage(bytes), now).outcome).toBe('accepted')
    }
    for (const p of parties) expect(c.receive(wire(p.sum(wire(c.bundleFor(p.address)))), now).outcome).toBe('accepted')
    expect(c.result().values[5]).toBeCloseTo(4 * (5 / 4 - 3), 6)
  })

  it('a flipped byte in a binary share upload is refused with a typed error', () => {
    const now = Date.now()
    const keys = Array.from({ length: 3 }, () => generatePrivateKey())
    const ck = generatePrivateKey()
    const config = createSession({ coordinator: addressOf(ck), parties: keys.map(addressOf), threshold: 2, length: 8, bound: 10, deadlines: { join: now + 60_000, share: now + 120_000, sum: now + 180_000 } })
    const c = new Coordinator({ config, identityKey: ck })
    const parties = keys.map((k) => new Party({ config, identityKey: k }))
    for (const p of parties) c.receive(p.join(), now)
    const bytes = encodeMessage(parties[0]!.share(new Array(8).fill(1), c.roster()))
    for (const at of [10, bytes.length >> 1, bytes.length - 3]) {
      const tampered = bytes.slice()
      tampered[at]! ^= 0x01
      let code: string | undefined
      try {
        c.receive(decodeMessage(tampered), now)
      } catch (e) {
        code = (e as MpcError).code
      }
      expect(['MPC_BAD_SIGNATURE', 'MPC_MALFORMED_MESSAGE']).toContain(code)
    }
    expect(c.receive(decodeMessage(bytes), now).outcome).toBe('accepted')
  })

  it('payloads are bytes in memory and base64 in the JSON form: one binary form, one signature, either form accepted', () => {
    const now = Date.now()
    const keys = Array.from({ length: 3 }, () => generatePrivateKey())
    const ck = generatePrivateKey()
    const config = createSession({ coordinator: addressOf(ck), parties: keys.map(addressOf), threshold: 2, length: 8, bound: 10, deadlines: { join: now + 60_000, share: now + 120_000, sum: now + 180_000 } })
    const c = new Coordinator({ config, identityKey: ck })
    const parties = keys.map((k) => new Party({ config, identityKey: k }))
    for (const p of parties) c.receive(p.join(), now)
    const ups = parties.map((p) => p.share(new Array(8).fill(1), c.roster()))
    const json = toJsonForm(ups[0]!)
    expect(typeof json.shares[0]!.ciphertext).toBe('string')
    expect(ups[0]!.shares[0]!.ciphertext).toBeInstanceOf(Uint8Array)
    // the binary form does not depend on the form the payloads were in
    expect(encodeMessage(json)).toEqual(encodeMessage(ups[0]!))
    expect(fromJsonForm<SharesMessage>(json)).toEqual(ups[0])
    // decoded payloads are views into the received bytes, not copies
    const bytes = encodeMessage(ups[1]!)
    const decoded = decodeMessage(bytes) as SharesMessage
    expect(decoded.shares[0]!.ciphertext.buffer).toBe(bytes.buffer)
    // a payload changed in place after it was signed is refused (digests are never cached per array)
    const tampered = structuredClone(ups[2]!)
    tampered.shares[0]!.ciphertext[40]! ^= 1
    expect(() => c.receive(tampered, now)).toThrow(expect.objectContaining({ code: 'MPC_BAD_SIGNATURE' }))
    // the JSON form, as a JSON transport delivers it, is accepted as the same message
    expect(c.receive(JSON.parse(JSON.stringify(json)), now).outcome).toBe('accepted')
    expect(c.receive(ups[0]!, now).outcome).toBe('duplicate')
    expect(c.receive(decoded, now).outcome).toBe('accepted')
    // a JSON payload that is not canonical base64 of the right size is malformed
    const bad = JSON.parse(JSON.stringify(toJsonForm(ups[2]!))) as { shares: { ciphertext: string }[] }
    bad.shares[0]!.ciphertext = bad.shares[0]!.ciphertext.replace(/.$/, '-')
    expect(() => c.receive(bad, now)).toThrow(expect.objectContaining({ code: 'MPC_MALFORMED_MESSAGE' }))
    const state = c.toJSON()
    expect(typeof state.uploads[parties[0]!.address]!.message.shares[0]!.ciphertext).toBe('string')
    expect(Coordinator.fromJSON(JSON.parse(JSON.stringify(state)), { identityKey: ck }).toJSON()).toEqual(state)
  })
})

describe('encodeMessageParts', () => {
  it('concatenates to encodeMessage, with the large payloads as the very arrays', async () => {
    const { encodeMessageParts } = await import('../src/index.js')
    const big = new Uint8Array(10_000).map((_, i) => i & 0xff)
    const m = { type: 'share-bundle', shares: [{ from: 'a', ciphertext: big }, { from: 'b', ciphertext: new Uint8Array([1, 2, 3]) }], key: 'AQID', n: 7 }
    const { parts, length } = encodeMessageParts(m)
    const whole = encodeMessage(m)
    expect(length).toBe(whole.length)
    const joined = new Uint8Array(length)
    let at = 0
    for (const p of parts) (joined.set(p, at), (at += p.length))
    expect(joined).toEqual(whole)
    expect(parts.some((p) => p === big)).toBe(true)
    // a base64 payload that is not canonical falls back to text in both
    const odd = { ciphertext: 'AQ-D', share: big }
    const o = encodeMessageParts(odd)
    expect(Buffer.concat(o.parts)).toEqual(Buffer.from(encodeMessage(odd)))
  })
})

describe('encodeResult / decodeResult', () => {
  const result = (sum: string[], values: number[]): AggregateResult => ({
    type: 'result',
    sessionId: `0x${'ab'.repeat(32)}`,
    contributors: [`0x${'01'.repeat(20)}`, `0x${'02'.repeat(20)}`],
    sumShareHolders: [`0x${'01'.repeat(20)}`],
    cheaters: [],
    dealersBlamed: [`0x${'03'.repeat(20)}`],
    verified: true,
    liarTolerance: 1,
    sum,
    values,
  })

  it('round-trips any aggregate: integers beyond 2^53, negatives, zero, non-integral and extreme doubles', () => {
    const sum = ['0', '-1', '9007199254740993', '-2305843009213693951', '123456789012345678901234567890', '42']
    const values = [0, -1 / 65536, 9007199254740993 / 65536, -1e300, Number.MIN_VALUE, -0]
    const r = result(sum, values)
    const back = decodeResult(encodeResult(r))
    expect(back).toEqual(r)
    expect(Object.is(back.values[5], -0)).toBe(true)
    expect(decodeResult(encodeResult(result([], [])))).toEqual(result([], []))
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), fc.double({ noNaN: true })), { maxLength: 50 }), (rows) => {
        const r2 = result(rows.map(([s]) => s.toString()), rows.map(([, v]) => v))
        expect(decodeResult(encodeResult(r2))).toEqual(r2)
      }),
    )
  })

  it('is smaller than the JSON form, and reads from an unaligned view', () => {
    const n = 10_000
    const r = result(Array.from({ length: n }, (_, i) => String(i * 65536 - 5e8)), Array.from({ length: n }, (_, i) => (i * 65536 - 5e8) / 65536))
    const bytes = encodeResult(r)
    expect(bytes.length).toBeLessThan(JSON.stringify(r).length)
    const shifted = new Uint8Array(bytes.length + 3)
    shifted.set(bytes, 3)
    expect(decodeResult(shifted.subarray(3))).toEqual(r)
  })

  it('refuses what is not an aggregate in this form with MPC_MALFORMED_MESSAGE, and an unencodable one with a TypeError', () => {
    const encode = (v: unknown): Uint8Array => encodeCbor(v, { bytesFields: new Set(['values']) })
    const f64 = (...xs: number[]): Uint8Array => new Uint8Array(new Float64Array(xs).buffer)
    for (const bad of [
      encode([1, 2]),
      encode({ type: 'shares', sum: '1', values: f64(1) }),
      encode({ type: 'result', sum: '1,2', values: f64(1) }), // two sums for one value
      encode({ type: 'result', sum: '1.5', values: f64(1) }), // not an integer
      encode({ type: 'result', sum: '', values: f64(1) }),
      encode({ type: 'result', sum: '1', values: new Uint8Array(7) }), // not 8-byte entries
      encode({ type: 'result', sum: ['1'], values: f64(1) }), // JSON's array, not the binary form
      encode({ type: 'result', sum: '1', values: 'not bytes' }),
      encode({ type: 'result', sum: 'x', values: new Uint8Array(0) }),
    ]) {
      let caught: unknown
      try {
        decodeResult(bad)
      } catch (e) {
        caught = e
      }
      expect(caught, Buffer.from(bad).toString('hex')).toBeInstanceOf(MpcError)
      expect((caught as MpcError).code).toBe('MPC_MALFORMED_MESSAGE')
    }
    expect(() => encodeResult(result(['1'], [1, 2]))).toThrow(TypeError)
    expect(() => encodeResult(result(['1e3'], [1]))).toThrow(TypeError)
  })
})
