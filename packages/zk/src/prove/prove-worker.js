// Worker thread of @krain/zk's prover pool: computes the witness and the Groth16 proof off the
// main thread. Kept warm between proofs: the bn128 curve (and its threads) is built when the
// worker starts; per circuit, the zkey is parsed once (groth16-prover.js) and the witness
// calculator (circom's WebAssembly) compiled once. A cached circuit is keyed by its files' paths
// and identities (device, inode, size, modification time), so a zkey or wasm rewritten in place
// (a new setup) is read again, never served from the old parse.
// Plain JavaScript (not TypeScript) so that it runs as a worker under every loader (node,
// tsx, vitest) without a transform.
import { stat, readFile } from 'node:fs/promises'
import threads, { parentPort } from 'node:worker_threads'
import { lowerThreadPriority } from './low-priority.js'

// Proving is background work: run this thread at the lowest CPU priority so that the host's event
// loop keeps its cores; the curve threads, started below, inherit it.
lowerThreadPriority()

// ffjavascript spawns its curve threads through the `web-worker` package, which assumes that any
// non-main thread is one of its own workers and crashes on import in ours ("Cannot destructure
// property 'mod' of 'threads.workerData'"). It reads `isMainThread` once, when first loaded:
// present this thread as a main thread to it, then load the prover. The curve threads it starts
// are children of this worker and end with it.
Object.defineProperty(threads, 'isMainThread', { value: true })
const { getCurve, loadCircuit, proveWithKey, witnessBytes } = await import('./groth16-prover.js')

// Warm the curve now, so the first proof does not pay for it.
const warm = getCurve().catch(() => undefined)

/** How many circuits (zkey + calculator) a worker keeps parsed. */
const MAX_CIRCUITS = 8
const circuits = new Map()

async function identity(path) {
  const s = await stat(path, { bigint: true })
  return `${path}\0${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`
}

async function readBytes(path) {
  const b = await readFile(path)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/** The parsed key and witness calculator of a circuit, loaded once per file identity. */
async function circuit(job) {
  const key = `${await identity(job.wasm)}\n${await identity(job.zkey)}`
  let c = circuits.get(key)
  if (!c) {
    // a rewritten file: drop what was parsed from its previous content
    for (const k of [...circuits.keys()]) if (k.startsWith(`${job.wasm}\0`) || k.includes(`\n${job.zkey}\0`)) circuits.delete(k)
    c = Promise.all([readBytes(job.wasm), readBytes(job.zkey)]).then(([w, z]) => loadCircuit(w, z))
    circuits.set(key, c)
    c.catch(() => circuits.delete(key))
    while (circuits.size > MAX_CIRCUITS) circuits.delete(circuits.keys().next().value)
  } else {
    circuits.delete(key)
    circuits.set(key, c) // most recently used last
  }
  return { key, loaded: await c }
}

parentPort.on('message', async (job) => {
  try {
    await warm
    const { key, loaded } = await circuit(job)
    let wtns
    try {
      wtns = await witnessBytes(loaded, job.input)
    } catch (e) {
      circuits.delete(key) // start the next proof from a fresh calculator instance
      throw e
    }
    const { proof, publicSignals } = await proveWithKey(loaded.pk, wtns)
    parentPort.postMessage({ id: job.id, ok: true, proof, publicSignals })
  } catch (e) {
    parentPort.postMessage({ id: job.id, ok: false, message: String((e && e.message) || e) })
  }
})
