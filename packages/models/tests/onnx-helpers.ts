/**
 * Test helpers: the committed fixtures with their held-out rows, onnxruntime-node as the
 * reference, and a small ONNX writer (onnx-proto's encoder) for hand-made graphs.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadBreastCancer, loadDigits, trainTestSplit } from '@krain/datasets'
import onnxProto from 'onnx-proto'
import * as ort from 'onnxruntime-node'

const { onnx } = onnxProto
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

/** One line of fixtures/manifest.json (written by make_fixtures.py). */
export type FixtureEntry = {
  file: string
  dataset: 'breast_cancer' | 'digits' | 'random784'
  columns?: number[]
  targets?: number[]
  classes?: number[]
  /** Per-row input shape when it is not [features] (e.g. [1, 8, 8] images). */
  inputShape?: number[]
  output: string | null
  label?: string
  compare: 'proba' | 'p1' | 'scores' | 'values' | 'label'
  head?: 'argmax' | 'sign' | 'regression'
  how: string
}

export const manifest: FixtureEntry[] = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'))
export const fixtureBytes = (file: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, file)))

/** The held-out rows a fixture is checked on (the 20% test split of @krain/datasets). */
export function heldOutRows(e: FixtureEntry): number[][] {
  if (e.dataset === 'random784') {
    let s = 12345
    return Array.from({ length: 40 }, () => Array.from({ length: 784 }, () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648)))
  }
  const { test } = trainTestSplit(e.dataset === 'breast_cancer' ? loadBreastCancer() : loadDigits())
  let x = test.x
  if (e.classes) x = x.filter((_, i) => e.classes!.includes(test.y[i]!))
  if (e.columns) x = x.map((r) => e.columns!.map((c) => r[c]!))
  return x
}

/** Run a model in onnxruntime-node on `rows`; returns the requested outputs as row arrays. */
export async function runOrt(bytes: Uint8Array, rows: number[][], outputs: string[], inputShape?: number[]): Promise<Record<string, (number | bigint)[][]>> {
  const session = await ort.InferenceSession.create(bytes)
  try {
    const f = rows[0]!.length
    const data = Float32Array.from(rows.flat())
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', data, [rows.length, ...(inputShape ?? [f])]) }
    const res = await session.run(feeds, outputs)
    const out: Record<string, (number | bigint)[][]> = {}
    for (const name of outputs) {
      const t = res[name]!
      const d = Array.from(t.data as ArrayLike<number | bigint>)
      const w = d.length / rows.length
      out[name] = rows.map((_, i) => d.slice(i * w, (i + 1) * w))
    }
    return out
  } finally {
    await session.release()
  }
}

type TensorSpec = { name: string; dims: number[]; values: number[]; dataType?: number; external?: boolean }
type NodeSpec = { op: string; inputs: string[]; outputs: string[]; name?: string; domain?: string; attrs?: Record<string, number | number[] | string | string[]> }

/** Encode a small ONNX model with onnx-proto (test graphs, fuzz seeds). */
export function makeModel({ nodes, initializers = [], input = { name: 'x', dims: [-1, 3] }, outputs = ['y'], opset = 13, mlOpset }: { nodes: NodeSpec[]; initializers?: TensorSpec[]; input?: { name: string; dims: number[]; elemType?: number }; outputs?: string[]; opset?: number; mlOpset?: number }): Uint8Array {
  const attr = (name: string, v: number | number[] | string | string[]) => {
    if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) }
    if (typeof v === 'number') return Number.isInteger(v) && !name.match(/alpha|beta|epsilon/) ? { name, type: 2, i: v } : { name, type: 1, f: v }
    if (v.length > 0 && typeof v[0] === 'string') return { name, type: 8, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) }
    return name.match(/coefficients|intercepts|offset|scale|floats/) ? { name, type: 6, floats: v as number[] } : { name, type: 7, ints: v as number[] }
  }
  const tensor = (t: TensorSpec) =>
    t.external
      ? { name: t.name, dims: t.dims, dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] }
      : { name: t.name, dims: t.dims, dataType: t.dataType ?? 1, ...((t.dataType ?? 1) === 7 ? { int64Data: t.values } : { floatData: t.values }) }
  const dim = (d: number) => (d < 0 ? { dimParam: 'batch' } : { dimValue: d })
  const model = onnx.ModelProto.fromObject({
    irVersion: 7,
    producerName: 'krain-test',
    opsetImport: [{ domain: '', version: opset }, ...(mlOpset ? [{ domain: 'ai.onnx.ml', version: mlOpset }] : [])],
    graph: {
      name: 'g',
      node: nodes.map((n, i) => ({ opType: n.op, input: n.inputs, output: n.outputs, name: n.name ?? `${n.op.toLowerCase()}_${i}`, domain: n.domain ?? '', attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attr(k, v)) })),
      initializer: initializers.map(tensor),
      input: [{ name: input.name, type: { tensorType: { elemType: input.elemType ?? 1, shape: { dim: input.dims.map(dim) } } } }],
      output: outputs.map((o) => ({ name: o, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 1 }] } } } })),
    },
  })
  return onnx.ModelProto.encode(model).finish()
}
