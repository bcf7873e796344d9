/**
 * @module seal/load-seal
 * Loads node-seal (Microsoft SEAL 4 compiled to WebAssembly) once per process and shares it.
 * Loading is asynchronous (the WASM module is instantiated); every other SEAL call is synchronous.
 * While loading we keep a reference to the module's `WebAssembly.Memory`, so tests and long-running
 * services can check that the WASM heap stays flat ({@link sealHeapBytes}).
 */
import sealFactory from 'node-seal'
import type { SEALLibrary } from 'node-seal/implementation/seal.js'
import { HeSealError } from '../errors.js'

/** The node-seal library object. */
export type Seal = SEALLibrary

let loading: Promise<Seal> | undefined
let loaded: Seal | undefined
/** Just what we use of the WebAssembly global (the lib has no DOM types, so it is untyped here). */
type WasmMemory = { buffer: ArrayBuffer }
type WasmGlobal = { instantiate: (...args: unknown[]) => Promise<unknown>; Memory: new (...args: never[]) => WasmMemory }
type SealFactory = () => Promise<Seal>

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null
function isWasmGlobal(x: unknown): x is WasmGlobal {
  return isRecord(x) && typeof x.instantiate === 'function' && typeof x.Memory === 'function'
}

/** The global `WebAssembly` object, checked to have what {@link loadSeal} patches. */
function wasmGlobal(): WasmGlobal {
  const w: unknown = Reflect.get(globalThis, 'WebAssembly')
  if (!isWasmGlobal(w)) throw new HeSealError({ shortMessage: 'this runtime has no WebAssembly' })
  return w
}

/** The values a WebAssembly instantiation exports (`{ instance, module }` or an `Instance`). */
function exportsOf(result: unknown): unknown[] {
  if (!isRecord(result)) return []
  const holder = isRecord(result.instance) ? result.instance : result
  return isRecord(holder.exports) ? Object.values(holder.exports) : []
}

/**
 * node-seal's factory. Its types describe an ES module whose default export is the factory; Node
 * loads its CommonJS build, whose `module.exports` (the default import) is the factory itself.
 */
const factoryOf = (m: SealFactory | { default: SealFactory }): SealFactory => (typeof m === 'function' ? m : m.default)

let memory: WasmMemory | undefined

/**
 * Load SEAL (once; later calls return the same instance).
 * @returns the node-seal library
 * @throws {HeSealError} when the WebAssembly module cannot be instantiated
 * @example
 * ```ts
 * const seal = await loadSeal()
 * ```
 */
export function loadSeal(): Promise<Seal> {
  if (loading) return loading
  loading = (async () => {
    const wasm = wasmGlobal()
    const original = wasm.instantiate
    // Capture the module's memory export so the heap size can be observed (node-seal hides it).
    wasm.instantiate = async (...args: unknown[]) => {
      const result = await original.apply(wasm, args)
      for (const v of exportsOf(result)) if (v instanceof wasm.Memory) memory = v
      return result
    }
    try {
      loaded = await factoryOf(sealFactory)()
      return loaded
    } catch (e) {
      loading = undefined
      throw new HeSealError({ shortMessage: 'could not load node-seal', cause: e })
    } finally {
      wasm.instantiate = original
    }
  })()
  return loading
}

/**
 * The loaded SEAL library, for synchronous code that runs after {@link loadSeal} resolved.
 * @throws {HeSealError} if SEAL has not been loaded yet
 */
export function sealSync(): Seal {
  if (!loaded) throw new HeSealError({ shortMessage: 'SEAL is not loaded yet', details: 'await loadSeal() first' })
  return loaded
}

/**
 * Current size of SEAL's WebAssembly heap in bytes (it only grows; a flat value over a long run
 * means no leak). Returns 0 when the memory could not be observed.
 */
export function sealHeapBytes(): number {
  return memory?.buffer.byteLength ?? 0
}
