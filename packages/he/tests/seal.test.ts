import { breastCancerTask, digitsTask } from '@krain/models'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CKKS_PRESETS,
  HeKeyMismatchError,
  HeSealError,
  HeSerializationError,
  Scope,
  createCkksClient,
  decryptBatch,
  encryptBatch,
  evaluateModel,
  liveSealObjects,
  loadEvaluationKeys,
  loadSeal,
  planInference,
  sealCall,
  sealHeapBytes,
  toBase64,
  withScope,
  type CkksClient,
  type EvaluationKeys,
} from '../src/index.js'

describe('SEAL loading, errors and scopes', () => {
  it('loads SEAL once and observes its heap', async () => {
    const a = await loadSeal()
    const b = await loadSeal()
    expect(a).toBe(b)
    expect(sealHeapBytes()).toBeGreaterThan(0)
  })

  it('wraps what SEAL throws (not always an Error) in HeSealError', () => {
    for (const thrown of [42, 'bad', new Error('x'), { weird: true }]) {
      try {
        sealCall('do a thing', () => {
          throw thrown
        })
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(HeSealError)
        expect((e as HeSealError).code).toBe('HE_SEAL')
        expect((e as HeSealError).cause).toBe(thrown)
      }
    }
  })

  it('deletes tracked objects when a scope ends', async () => {
    const seal = await loadSeal()
    const before = liveSealObjects()
    const pts = withScope((scope) => {
      const p = [scope.track(seal.PlainText()), scope.track(seal.PlainText())]
      expect(liveSealObjects()).toBe(before + 2)
      return p
    })
    expect(liveSealObjects()).toBe(before)
    expect(() => pts[0]!.instance.isZero()).toThrow()
    {
      using scope = new Scope()
      scope.track(seal.PlainText())
      expect(liveSealObjects()).toBe(before + 1)
    }
    expect(liveSealObjects()).toBe(before)
  })
})

describe('evaluation-key bundle', () => {
  let client: CkksClient
  let bundle: Uint8Array
  const params = CKKS_PRESETS.n8192
  beforeAll(async () => {
    client = await createCkksClient({ params, galoisSteps: [1, 2, 4] })
    bundle = client.exportEvaluationKeys()
  })
  afterAll(() => client.dispose())

  it('round-trips with the secret key left behind, as bytes and as base64', async () => {
    using keys = await loadEvaluationKeys(bundle, { expectParams: params, requireGaloisSteps: [1, 2, 4], requireRelin: true })
    expect([...keys.galoisSteps]).toEqual([1, 2, 4])
    expect(keys.relinKeys).toBeDefined()
    using keys2 = await loadEvaluationKeys(toBase64(bundle))
    expect(keys2.paramsId).toBe(keys.paramsId)
    // seeded + compressed: 3 Galois keys + relin + public well under the unseeded size (~2× larger)
    expect(bundle.length).toBeLessThan(5 * 1024 * 1024)
    // the bundle holds no secret key bytes
    const sk = client.exportSecretKey()
    expect(Buffer.from(bundle).includes(Buffer.from(sk.subarray(16, 80)))).toBe(false)
  })

  it('rejects truncated, padded, corrupted, versioned and junk bundles with typed errors', async () => {
    const flipped = bundle.slice()
    flipped[bundle.length >> 1] ^= 1
    const version = bundle.slice()
    version[4] = 9
    const cases: [unknown, new (...a: never[]) => Error][] = [
      [bundle.subarray(0, bundle.length - 1), HeSerializationError],
      [bundle.subarray(0, 100), HeSerializationError],
      [new Uint8Array([...bundle, 0]), HeSerializationError],
      [flipped, HeSerializationError],
      [version, HeSerializationError],
      [new Uint8Array(10), HeSerializationError],
      ['not base64!', HeSerializationError],
      [42, TypeError],
      [null, TypeError],
    ]
    for (const [input, type] of cases) await expect(loadEvaluationKeys(input as Uint8Array)).rejects.toBeInstanceOf(type)
  })

  it('rejects a bundle made for other parameters or lacking keys', async () => {
    await expect(loadEvaluationKeys(bundle, { expectParams: CKKS_PRESETS.n16384 })).rejects.toBeInstanceOf(HeKeyMismatchError)
    await expect(loadEvaluationKeys(bundle, { requireGaloisSteps: [8] })).rejects.toBeInstanceOf(HeKeyMismatchError)
    await expect(loadEvaluationKeys(bundle, { requireGaloisSteps: [8] })).rejects.toMatchObject({ code: 'HE_KEY_MISMATCH' })
  })

  it('restores a client from its exported secret key', async () => {
    const bytes = client.encryptToBytes([1.5, -2])
    using again = await createCkksClient({ params, secretKey: client.exportSecretKey() })
    const got = again.decrypt(bytes, 2)
    expect(Math.abs(got[0]! - 1.5)).toBeLessThan(1e-6)
    await expect(createCkksClient({ params: CKKS_PRESETS.n16384, secretKey: client.exportSecretKey() })).rejects.toBeInstanceOf(HeSerializationError)
  }, 30_000)
})

describe('evaluateModel at the boundary', () => {
  const task = breastCancerTask()
  const plan = planInference({ model: task.model, batchSize: 8, layout: 'sample-per-ciphertext', inputBound: 16 })
  let client: CkksClient
  let keys: EvaluationKeys
  beforeAll(async () => {
    digitsTask()
    client = await createCkksClient({ params: plan.params, galoisSteps: plan.galoisSteps, relin: plan.relin })
    keys = await loadEvaluationKeys(client.exportEvaluationKeys())
  }, 60_000)
  afterAll(() => (keys.dispose(), client.dispose()))

  it('refuses another model, wrong-level ciphertexts and truncated ciphertexts', () => {
    const up = encryptBatch({ client, plan, rows: task.test.x.slice(0, 2) })
    expect(() => evaluateModel({ keys, model: digitsTask().model, ciphertexts: up, plan })).toThrow(HeKeyMismatchError)
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: [up[0]!.subarray(0, 50)], plan })).toThrow(HeSerializationError)
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: [], plan })).toThrow(RangeError)
    const { ciphertexts: out } = evaluateModel({ keys, model: task.model, ciphertexts: up, plan })
    // an output (last level) fed back as an input is not what the plan prescribes
    expect(() => evaluateModel({ keys, model: task.model, ciphertexts: out, plan })).toThrow(HeKeyMismatchError)
    expect(() => decryptBatch({ client, plan, ciphertexts: out, count: 3 })).toThrow(HeSerializationError)
  }, 30_000)

  it('refuses keys that lack what the plan needs', async () => {
    using other = await createCkksClient({ params: plan.params, galoisSteps: [1, 2] })
    using thin = await loadEvaluationKeys(other.exportEvaluationKeys())
    expect(() => evaluateModel({ keys: thin, model: task.model, ciphertexts: encryptBatch({ client: other, plan, rows: [task.test.x[0]!] }), plan })).toThrow(HeKeyMismatchError)
  })

  it('keeps the WASM heap and live objects flat over 200 inferences', () => {
    const rows = task.test.x
    const run = (i: number) => {
      const up = encryptBatch({ client, plan, rows: [rows[i % rows.length]!] })
      const { ciphertexts } = evaluateModel({ keys, model: task.model, ciphertexts: up, plan })
      return decryptBatch({ client, plan, ciphertexts, count: 1 })[0]![0]!
    }
    for (let i = 0; i < 20; i++) run(i) // warm-up: SEAL's memory pool reaches its working size
    const heap = sealHeapBytes()
    const live = liveSealObjects()
    let sum = 0
    for (let i = 0; i < 200; i++) sum += run(i)
    expect(Number.isFinite(sum)).toBe(true)
    expect(sealHeapBytes()).toBe(heap)
    expect(liveSealObjects()).toBe(live)
  }, 60_000)
})
