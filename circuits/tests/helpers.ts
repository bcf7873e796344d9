/**
 * Test helpers: compile a harness circuit once per run, and compute witnesses with snarkjs
 * (the witness is the circuit's answer; a failed constraint makes it throw).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import * as snarkjs from 'snarkjs'
import { SNARK_SCALAR_FIELD } from '@krain/zk'
import { circuitsDir, compileFileAsync } from '../scripts/build.js'

const wasmCache = new Map<string, Uint8Array>()

/**
 * Compile `tests/harness/<name>.circom` into `build/test/` (unless an up-to-date build is there:
 * newer than the harness and every library source) and return its wasm path.
 */
export async function compileHarness(name: string): Promise<string> {
  const src = join(circuitsDir, 'tests', 'harness', `${name}.circom`)
  const out = join(circuitsDir, 'build', 'test')
  const wasm = join(out, `${name}_js`, `${name}.wasm`)
  const lib = join(circuitsDir, 'src', 'lib')
  const newest = Math.max(statSync(src).mtimeMs, ...readdirSync(lib).map((f) => statSync(join(lib, f)).mtimeMs))
  if (existsSync(wasm) && statSync(wasm).mtimeMs > newest) return wasm
  return (await compileFileAsync(src, out)).wasm
}

/** The witness of `input` (index 0 is the constant 1, then outputs, then public inputs, ...). */
export async function witness(wasmPath: string, input: Record<string, unknown>): Promise<bigint[]> {
  let wasm = wasmCache.get(wasmPath)
  if (!wasm) {
    wasm = new Uint8Array(readFileSync(wasmPath))
    wasmCache.set(wasmPath, wasm)
  }
  const out: { type: 'mem'; data?: Uint8Array } = { type: 'mem' }
  await snarkjs.wtns.calculate(input, wasm, out)
  return (await snarkjs.wtns.exportJson(out)) as bigint[]
}

/** A signed integer as a field element. */
export const fe = (v: bigint): bigint => (v < 0n ? SNARK_SCALAR_FIELD + v : v)
