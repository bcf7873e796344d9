/**
 * @module prover-pool
 * A small pool of worker threads that run snarkjs' witness computation and Groth16 prover, so
 * proving never blocks the caller's event loop. Idle workers are `unref`'d: a script that proves
 * once exits by itself, and their snarkjs curve threads go with them. `closeProvers()` ends
 * them explicitly (tests, graceful shutdown).
 */
import { Worker } from 'node:worker_threads'
import { aPositiveInt } from '@krain/core'
import { ZkProvingError } from '../errors.js'
import type { Groth16Proof } from '../groth16/groth16.js'

/** A proof as snarkjs produces it (decimal strings); owned by `groth16/groth16.ts`. */
export type { Groth16Proof } from '../groth16/groth16.js'

/** A proving job: artifact paths and the circuit's input signals. */
export type ProveJob = { wasm: string; zkey: string; input: Record<string, unknown> }

type Pending = { resolve: (v: { proof: Groth16Proof; publicSignals: string[] }) => void; reject: (e: Error) => void }
type Slot = { worker: Worker; busy: boolean; pending: Map<number, Pending> }

const workerUrl = new URL('./prove-worker.js', import.meta.url)
let size = 1
let slots: Slot[] = []
const queue: { job: ProveJob; p: Pending }[] = []
let nextId = 1

function spawn(): Slot {
  const worker = new Worker(workerUrl)
  const slot: Slot = { worker, busy: false, pending: new Map() }
  worker.unref()
  worker.on('message', (m: { id: number; ok: boolean; proof?: Groth16Proof; publicSignals?: string[]; message?: string }) => {
    const p = slot.pending.get(m.id)
    slot.pending.delete(m.id)
    slot.busy = false
    worker.unref()
    if (p) {
      if (m.ok) p.resolve({ proof: m.proof!, publicSignals: m.publicSignals! })
      else p.reject(new ZkProvingError({ shortMessage: 'the prover failed', details: m.message }))
    }
    pump()
  })
  const fail = (e: unknown): void => {
    slots = slots.filter((s) => s !== slot)
    for (const p of slot.pending.values()) p.reject(new ZkProvingError({ shortMessage: 'a prover worker died', details: String(e), cause: e }))
    slot.pending.clear()
    pump()
  }
  worker.on('error', fail)
  worker.on('exit', (code) => {
    if (slot.pending.size > 0) fail(new Error(`worker exited with code ${code}`))
    slots = slots.filter((s) => s !== slot)
  })
  return slot
}

function pump(): void {
  while (queue.length > 0) {
    let slot = slots.find((s) => !s.busy)
    if (!slot && slots.length < size) {
      slot = spawn()
      slots.push(slot)
    }
    if (!slot) return
    const { job, p } = queue.shift()!
    const id = nextId++
    slot.busy = true
    slot.pending.set(id, p)
    slot.worker.ref()
    slot.worker.postMessage({ id, ...job })
  }
}

/** Internal: run one proving job on the pool. */
export function runProveJob(job: ProveJob): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  return new Promise((resolve, reject) => {
    queue.push({ job, p: { resolve, reject } })
    pump()
  })
}

/**
 * Set how many proofs may run at once (one worker thread each; default 1, since snarkjs
 * already spreads one proof over the machine's cores).
 * @param n - the pool size (1..64)
 * @example
 * ```ts
 * setProverPoolSize(2)
 * ```
 */
export function setProverPoolSize(n: number): void {
  size = aPositiveInt(n, 'n')
  if (size > 64) throw new RangeError(`"n" expected an integer in [1, 64], got ${n}`)
  pump()
}

/**
 * Terminate every prover worker (and the snarkjs curve threads inside them). Pending and
 * queued proofs are rejected. The pool starts new workers on the next proof.
 * @example
 * ```ts
 * await closeProvers()
 * ```
 */
export async function closeProvers(): Promise<void> {
  const old = slots
  slots = []
  for (const { p } of queue.splice(0)) p.reject(new ZkProvingError({ shortMessage: 'the prover pool was closed' }))
  await Promise.all(old.map((s) => s.worker.terminate()))
}
