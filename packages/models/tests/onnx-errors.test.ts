import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { importOnnx, isOnnxError, OnnxInvalidError, OnnxUnsupportedError, OnnxUnsupportedOperatorError, SUPPORTED_OPERATORS, assertModel } from '@krain/models'
import { fixtureBytes, makeModel, manifest } from './onnx-helpers.js'

const W = { name: 'w', dims: [3, 2], values: [1, 2, 3, 4, 5, 6] }
const B = { name: 'b', dims: [2], values: [0.5, -0.5] }
const dense = (out = 'h') => ({ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: [out] })

function codeOf(f: () => unknown): string {
  try {
    f()
    return 'OK'
  } catch (e) {
    return (e as { code?: string }).code ?? `untyped ${(e as Error).name}: ${(e as Error).message}`
  }
}

describe('importOnnx: typed errors', () => {
  it('names the node, its operator and the supported list for an unsupported operator, before reading tensors', () => {
    // The initializer is malformed (6 declared elements, 1 given): the operator check comes first.
    const bytes = makeModel({ nodes: [dense(), { op: 'LeakyRelu', inputs: ['h'], outputs: ['y'], name: 'act_1' }], initializers: [{ ...W, values: [1] }, B] })
    let err: unknown
    try {
      importOnnx(bytes)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(OnnxUnsupportedOperatorError)
    const e = err as OnnxUnsupportedOperatorError
    expect(e.code).toBe('MODEL_ONNX_UNSUPPORTED')
    expect(e.node).toBe('act_1')
    expect(e.op).toBe('LeakyRelu')
    expect(e.message).toContain('"act_1"')
    expect(e.message).toContain('LeakyRelu')
    for (const op of ['Gemm', 'Relu', 'Softmax', 'ai.onnx.ml.LinearClassifier']) expect(e.supported).toContain(op)
    expect(e.supported).toEqual(SUPPORTED_OPERATORS)
  })

  it('names ops of other domains with their domain', () => {
    const bytes = makeModel({ nodes: [dense('y'), { op: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', inputs: ['y'], outputs: ['z'], name: 'trees' }], initializers: [W, B], mlOpset: 3 })
    expect(() => importOnnx(bytes)).toThrow(/trees.*ai\.onnx\.ml\.TreeEnsembleClassifier/)
  })

  const cases: [string, Uint8Array, string][] = [
    ['a cycle', makeModel({ nodes: [{ op: 'Add', inputs: ['x', 'z'], outputs: ['y'] }, { op: 'Relu', inputs: ['y'], outputs: ['z'] }] }), 'MODEL_ONNX_INVALID'],
    ['a missing initializer', makeModel({ nodes: [dense('y')], initializers: [B] }), 'MODEL_ONNX_INVALID'],
    ['a tensor shorter than its dims', makeModel({ nodes: [dense('y')], initializers: [{ ...W, values: [1, 2] }, B] }), 'MODEL_ONNX_INVALID'],
    ['huge dims', makeModel({ nodes: [dense('y')], initializers: [{ ...W, dims: [1 << 20, 1 << 20] }, B] }), 'MODEL_ONNX_INVALID'],
    ['a non-float weight tensor', makeModel({ nodes: [dense('y')], initializers: [{ ...W, dataType: 9 }, B] }), 'MODEL_ONNX_INVALID'],
    ['a value produced twice', makeModel({ nodes: [dense('y'), { op: 'Relu', inputs: ['x'], outputs: ['y'] }], initializers: [W, B] }), 'MODEL_ONNX_INVALID'],
    ['wrong weight shape', makeModel({ nodes: [dense('y')], initializers: [{ ...W, dims: [2, 3] }, B] }), 'MODEL_ONNX_UNSUPPORTED'],
    ['opset 8', makeModel({ nodes: [dense('y')], initializers: [W, B], opset: 8 }), 'MODEL_ONNX_UNSUPPORTED'],
    ['an integer input', makeModel({ nodes: [dense('y')], initializers: [W, B], input: { name: 'x', dims: [-1, 3], elemType: 7 } }), 'MODEL_ONNX_UNSUPPORTED'],
    ['a residual Add of two computed values', makeModel({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Add', inputs: ['x', 'r'], outputs: ['y'] }] }), 'MODEL_ONNX_UNSUPPORTED'],
    ['Pow with exponent 3', makeModel({ nodes: [dense(), { op: 'Pow', inputs: ['h', 'e'], outputs: ['y'] }], initializers: [W, B, { name: 'e', dims: [], values: [3] }] }), 'MODEL_ONNX_UNSUPPORTED'],
    ['a layer after Softmax', makeModel({ nodes: [dense(), { op: 'Softmax', inputs: ['h'], outputs: ['s'] }, { op: 'Relu', inputs: ['s'], outputs: ['y'] }], initializers: [W, B] }), 'MODEL_ONNX_UNSUPPORTED'],
    ['division by a zero constant', makeModel({ nodes: [{ op: 'Div', inputs: ['x', 'z'], outputs: ['h'] }, { ...dense('y'), inputs: ['h', 'w', 'b'] }], initializers: [W, B, { name: 'z', dims: [], values: [0] }] }), 'MODEL_ONNX_INVALID'],
    ['no output computed from the input', makeModel({ nodes: [{ op: 'Relu', inputs: ['b'], outputs: ['y'] }], initializers: [B] }), 'MODEL_ONNX_UNSUPPORTED'],
    ['one-vs-rest LinearClassifier', makeModel({ nodes: [{ op: 'LinearClassifier', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['l', 'y'], attrs: { coefficients: [1, 2, 3, 4, 5, 6, 7, 8, 9], intercepts: [0, 0, 0], classlabels_ints: [0, 1, 2], post_transform: 'LOGISTIC' } }], mlOpset: 3 }), 'MODEL_ONNX_UNSUPPORTED'],
  ]
  for (const [what, bytes, code] of cases) it(`refuses ${what} with ${code}`, () => expect(codeOf(() => importOnnx(bytes))).toBe(code))

  it('refuses a graph whose import work is over the budget (a chain of large affine nodes)', () => {
    const n = 256
    const q = { name: 'q', dims: [n, n], values: Array.from({ length: n * n }, (_, i) => ((i * 7919) % 13) / 13 - 0.5) }
    const nodes = Array.from({ length: 12 }, (_, i) => ({ op: 'MatMul', inputs: [i === 0 ? 'x' : `h${i}`, 'q'], outputs: [i === 11 ? 'y' : `h${i + 1}`] }))
    const bytes = makeModel({ nodes, initializers: [q], input: { name: 'x', dims: [-1, n] } })
    expect(() => importOnnx(bytes)).toThrow(/steps to import/)
    // Chains of element-wise constants on a large layer stay cheap (a lazy row scale) and import.
    const muls = [{ op: 'MatMul', inputs: ['x', 'q'], outputs: ['m0'] }, ...Array.from({ length: 300 }, (_, i) => ({ op: i % 2 ? 'Mul' : 'Add', inputs: [`m${i}`, 'c'], outputs: [i === 299 ? 'y' : `m${i + 1}`] }))]
    const { model } = importOnnx(makeModel({ nodes: muls, initializers: [q, { name: 'c', dims: [], values: [1.001] }], input: { name: 'x', dims: [-1, n] } }))
    expect(model.layers).toHaveLength(1)
  })

  it('refuses non-ONNX and empty bytes, and external data', () => {
    expect(codeOf(() => importOnnx(new Uint8Array(0)))).toBe('MODEL_ONNX_INVALID')
    expect(codeOf(() => importOnnx(new TextEncoder().encode('{"kind":"logistic"}')))).toBe('MODEL_ONNX_INVALID')
    expect(codeOf(() => importOnnx(fixtureBytes('mlp_100k_op13.onnx'), { maxBytes: 1000 }))).toBe('MODEL_ONNX_INVALID')
    const external = makeModel({ nodes: [dense('y')], initializers: [{ ...W, external: true }, B] })
    expect(() => importOnnx(external)).toThrow(/externally/)
  })

  it('throws TypeError for arguments of the wrong type', () => {
    expect(() => importOnnx('model.onnx' as unknown as Uint8Array)).toThrow(TypeError)
    expect(() => importOnnx(new Uint8Array(4), { head: 'softmax' as never })).toThrow(TypeError)
  })

  it('imports hand-made graphs of the supported operators exactly', () => {
    // x → Sub(m) → Div(s) → MatMul → Add → Mul(x,x) → Gemm(transB, alpha 2) → Sigmoid : sign head.
    const bytes = makeModel({
      nodes: [
        { op: 'Sub', inputs: ['x', 'm'], outputs: ['a'] },
        { op: 'Div', inputs: ['a', 's'], outputs: ['c'] },
        { op: 'MatMul', inputs: ['c', 'w'], outputs: ['d'] },
        { op: 'Add', inputs: ['d', 'b'], outputs: ['e'] },
        { op: 'Mul', inputs: ['e', 'e'], outputs: ['f'] },
        { op: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['g'], attrs: { transB: 1, alpha: 2 } },
        { op: 'Sigmoid', inputs: ['g'], outputs: ['y'] },
      ],
      initializers: [W, B, { name: 'm', dims: [3], values: [1, 2, 3] }, { name: 's', dims: [1, 3], values: [2, 4, 8] }, { name: 'w2', dims: [1, 2], values: [0.25, -1] }, { name: 'b2', dims: [1], values: [3] }],
    })
    const { model } = importOnnx(bytes)
    expect(model).toEqual({
      kind: 'network',
      head: 'sign',
      standardize: { mean: [1, 2, 3], scale: [2, 4, 8] },
      layers: [
        { weights: [[1, 3, 5], [2, 4, 6]], bias: [0.5, -0.5], activation: 'square' },
        { weights: [[0.5, -2]], bias: [3], activation: 'identity' },
      ],
    })
  })
})

describe('importOnnx: fuzzed bytes give a valid model or a typed error', () => {
  const seeds = manifest.filter((e) => !e.file.startsWith('mlp_100k')).map((e) => fixtureBytes(e.file))
  const typedOrValid = (bytes: Uint8Array) => {
    try {
      const { model } = importOnnx(bytes)
      assertModel(model)
    } catch (e) {
      if (!isOnnxError(e)) throw e
    }
  }

  it('truncated and mutated fixtures (1,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (k, flips, cut) => {
          const src = seeds[k]!
          const b = src.slice(0, cut === undefined ? src.length : cut % (src.length + 1))
          for (const [at, v] of flips) if (b.length > 0) b[at % b.length] = v
          typedOrValid(b)
        },
      ),
      { numRuns: 1000, seed: 42 },
    )
  })

  it('random graphs with wrong types, huge dims, cycles and missing initializers (1,000 cases)', () => {
    const ops = ['Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'Sigmoid', 'Tanh', 'Softmax', 'Flatten', 'Reshape', 'Identity', 'Pow', 'BatchNormalization', 'ArgMax', 'Concat', 'Cast', 'Constant', 'Shape', 'Gather', 'Unsqueeze']
    const names = ['x', 'a', 'b', 'c', 'y', 'w', 'v', '']
    const node = fc.record({
      op: fc.constantFrom(...ops),
      inputs: fc.array(fc.constantFrom(...names), { minLength: 0, maxLength: 4 }),
      outputs: fc.array(fc.constantFrom('a', 'b', 'c', 'y'), { minLength: 1, maxLength: 2 }),
      attrs: fc.dictionary(fc.constantFrom('axis', 'transB', 'alpha', 'to', 'epsilon', 'value_floats', 'allowzero'), fc.oneof(fc.integer({ min: -3, max: 12 }), fc.string({ maxLength: 4 }), fc.array(fc.double(), { maxLength: 3 })), { maxKeys: 2 }),
    })
    const tensor = fc.record({
      name: fc.constantFrom('w', 'v', 'b'),
      dims: fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(1 << 20, 2 ** 40, -1)), { maxLength: 3 }),
      values: fc.array(fc.double({ noNaN: false }), { maxLength: 12 }),
      dataType: fc.constantFrom(1, 1, 1, 7, 9, 11, 8, 16),
    })
    fc.assert(
      fc.property(fc.array(node, { maxLength: 6 }), fc.uniqueArray(tensor, { selector: (t) => t.name, maxLength: 3 }), fc.constantFrom(9, 13, 17, 30), fc.array(fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constant(1 << 30)), { minLength: 0, maxLength: 4 }), (nodes, inits, opset, dims) => {
        let bytes: Uint8Array
        try {
          bytes = makeModel({ nodes, initializers: inits.map((t) => (t.dataType === 7 ? { ...t, values: t.values.map((v) => (Number.isFinite(v) ? Math.trunc(v) % 1000 : 0)) } : t)), opset, input: { name: 'x', dims } })
        } catch {
          return // the encoder refused the random object; nothing to import
        }
        typedOrValid(bytes)
      }),
      { numRuns: 1000, seed: 7 },
    )
  })
})
