/**
 * @module pool
 * A small pool of worker threads that hash identifiers to curve25519 and apply X25519 scalar
 * multiplications (the whole cost of ECDH-PSI), so both cores work and the event loop stays free.
 * Work is split into slices across the workers and reassembled in order.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { PsiError } from '../errors.js'

type Pending = { resolve: (v: { out: Buffer; bad: number[] }) => void; reject: (e: unknown) => void }

const WORKER_URL = new URL('../../src/worker/psi-worker.mjs', import.meta.url)

/** Options of {@link PsiPool}. */
export type PsiPoolOptions = { threads?: number }

/** A pool of PSI workers. Call `close()` when done (or use `await using`). */
export class PsiPool {
  readonly threads: number
  private readonly workers: Worker[] = []
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  private closed = false

  constructor({ threads }: PsiPoolOptions = {}) {
    const t = threads ?? Math.max(1, Math.min(4, availableParallelism()))
    if (!Number.isInteger(t) || t < 1 || t > 64) throw new RangeError(`"threads" expected an integer in [1, 64], got ${String(threads)}`)
    this.threads = t
    for (let i = 0; i < t; i++) {
      const w = new Worker(WORKER_URL)
      w.unref()
      w.on('message', (m: { id: number; out?: ArrayBuffer; bad?: number[]; error?: string }) => {
        const p = this.pending.get(m.id)
        if (!p) return
        this.pending.delete(m.id)
        if (m.error !== undefined) p.reject(new PsiError('PSI_WORKER_FAILED', { shortMessage: 'a PSI worker failed', details: m.error }))
        else p.resolve({ out: Buffer.from(m.out!), bad: m.bad! })
      })
      w.on('error', (e) => {
        for (const [, p] of this.pending) p.reject(new PsiError('PSI_WORKER_FAILED', { shortMessage: 'a PSI worker crashed', cause: e }))
        this.pending.clear()
      })
      this.workers.push(w)
    }
  }

  private run(worker: number, msg: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<{ out: Buffer; bad: number[] }> {
    if (this.closed) return Promise.reject(new PsiError('PSI_WRONG_STATE', { shortMessage: 'the PSI pool is closed' }))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.workers[worker]!.postMessage({ id, ...msg }, transfer)
    })
  }

  /**
   * Hash identifiers to curve25519 points (Elligator 2) and blind them with `key`.
   * @returns n × 32 bytes of u-coordinates.
   */
  async hashAndBlind(ids: readonly string[], key: Uint8Array): Promise<Buffer> {
    const parts = split(ids.length, this.threads)
    const results = await Promise.all(
      parts.map(([lo, hi], w) => {
        const enc = new TextEncoder()
        const chunks: Uint8Array[] = []
        const offsets = new Uint32Array(hi - lo + 1)
        let total = 0
        for (let i = lo; i < hi; i++) {
          const b = enc.encode(ids[i]!)
          chunks.push(b)
          total += b.length
          offsets[i - lo + 1] = total
        }
        const data = new Uint8Array(total)
        let o = 0
        for (const c of chunks) (data.set(c, o), (o += c.length))
        return this.run(w, { job: 'hash', key, data: data.buffer, offsets: Array.from(offsets) }, [data.buffer])
      }),
    )
    for (const r of results) if (r.bad.length) throw new PsiError('PSI_BAD_POINT', { shortMessage: 'an identifier hashed to a low-order point' })
    return Buffer.concat(results.map((r) => r.out))
  }

  /**
   * Blind packed u-coordinates (n × 32 bytes) with `key`.
   * @throws PsiError `PSI_BAD_POINT` if any input is a low-order point (X25519 output all zero).
   */
  async blind(points: Uint8Array, key: Uint8Array): Promise<Buffer> {
    const n = points.length / 32
    const parts = split(n, this.threads)
    const results = await Promise.all(
      parts.map(([lo, hi], w) => {
        const copy = new Uint8Array(points.subarray(lo * 32, hi * 32)) // own ArrayBuffer (a Buffer may view a shared pool)
        return this.run(w, { job: 'blind', key, data: copy.buffer }, [copy.buffer as ArrayBuffer])
      }),
    )
    results.forEach((r, k) => {
      if (r.bad.length) throw new PsiError('PSI_BAD_POINT', { shortMessage: `point ${parts[k]![0] + r.bad[0]!} is a low-order point or not a valid X25519 u-coordinate` })
    })
    return Buffer.concat(results.map((r) => r.out))
  }

  /** Terminate the workers. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}

function split(n: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = []
  const k = Math.max(1, Math.min(parts, Math.ceil(n / 256)))
  const step = Math.ceil(n / k)
  for (let lo = 0, w = 0; w < k; w++, lo += step) out.push([lo, Math.min(n, lo + step)])
  return out.filter(([a, b]) => b > a || n === 0).slice(0, n === 0 ? 1 : k)
}
