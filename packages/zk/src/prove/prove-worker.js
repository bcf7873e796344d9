// Worker thread of @krain/zk's prover pool: computes the witness and the Groth16 proof with
// snarkjs off the main thread. Per circuit, the artifacts are read once and the witness
// calculator (circom's WebAssembly) is compiled once, then reused for every proof.
// Plain JavaScript (not TypeScript) so that it runs as a worker under every loader (node,
// tsx, vitest) without a transform.
import { readFile } from 'node:fs/promises'
import threads, { parentPort } from 'node:worker_threads'
import { lowerThreadPriority } from './low-priority.js'

// Proving is background work: run this thread at the lowest CPU priority so that the host's event
// loop keeps its cores; snarkjs' curve threads, started below, inherit it.
lowerThreadPriority()

// ffjavascript (under snarkjs) spawns its curve threads through the `web-worker` package, which
// assumes that any non-main thread is one of its own workers and crashes on import in ours
// ("Cannot destructure property 'mod' of 'threads.workerData'"). It reads `isMainThread` once,
// when first loaded: present this thread as a main thread to it, then load snarkjs. The curve
// threads it starts are children of this worker and end with it.
Object.defineProperty(threads, 'isMainThread', { value: true })
const snarkjs = await import('snarkjs')
const { WitnessCalculatorBuilder } = await import('circom_runtime')

const files = new Map()
const calculators = new Map()

function load(path) {
  let p = files.get(path)
  if (!p) {
    p = readFile(path).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))
    files.set(path, p)
  }
  return p
}

function calculator(path) {
  let p = calculators.get(path)
  if (!p) {
    p = load(path).then((wasm) => WitnessCalculatorBuilder(wasm))
    calculators.set(path, p)
  }
  return p
}

parentPort.on('message', async (job) => {
  try {
    const [wc, zkey] = await Promise.all([calculator(job.wasm), load(job.zkey)])
    let wtns
    try {
      wtns = await wc.calculateWTNSBin(job.input, true)
    } catch (e) {
      calculators.delete(job.wasm) // start the next proof from a fresh instance
      throw e
    }
    const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns)
    parentPort.postMessage({ id: job.id, ok: true, proof, publicSignals })
  } catch (e) {
    parentPort.postMessage({ id: job.id, ok: false, message: String((e && e.message) || e) })
  }
})
