/**
 * `krain models register --onnx` and `krain zk ptau` against a gateway over a real socket (the CLI
 * runs as its own process, as a user runs it).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { maxConstraints } from '@krain/zk'
import { testGateway } from './helpers/app.js'
import { FIXTURES, heldOutRows, manifest } from '../../models/tests/onnx-helpers.js'

const bin = fileURLToPath(new URL('../bin/krain.js', import.meta.url))
const run = promisify(execFile)
const krain = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, KRAIN_KEY: `0x${(0xa11ce000n + 50n).toString(16).padStart(64, '0')}` } })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, stdout: x.stdout, stderr: x.stderr }
  }
}

describe('krain models register / krain zk ptau', () => {
  let app: FastifyInstance
  let url: string
  const dir = mkdtempSync(join(tmpdir(), 'krain-cli-models-'))
  beforeAll(async () => {
    app = await testGateway()
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => app.close())

  it('registers an ONNX model with calibration rows and prints its layers, parameters, HE plan and provability', async () => {
    const entry = manifest.find((e) => e.file === 'odd13x3_mlp_tanh_torch_op17.onnx')!
    const csv = join(dir, 'rows.csv')
    writeFileSync(csv, [Array.from({ length: 13 }, (_, i) => `f${i}`).join(','), ...heldOutRows(entry).slice(0, 40).map((r) => r.join(','))].join('\n'))
    const r = await krain(['models', 'register', 'odd-tanh', '--onnx', join(FIXTURES, entry.file), '--calibration', csv, '--url', url])
    expect(r.stderr).toContain('13 features → 3 outputs (argmax), from ONNX (pytorch')
    expect(r.stderr).toContain('layer 0: 13 → 7, tanh')
    expect(r.stderr).toContain('layer 1: 7 → 3, identity')
    expect(r.stderr).toContain(`parameters: ${13 * 7 + 7 + 7 * 3 + 3}`)
    expect(r.stderr).toMatch(/HE plan: CKKS N=\d+, depth \d+, .*polynomial approximations in layer 0, calibrated input ranges/)
    // tanh has no exact circuit: not provable, and the reason says why
    expect(r.stderr).toMatch(/provable: no \(.*tanh/)
    expect(r.code).toBe(0)
    const info = JSON.parse(r.stdout) as { id: string; proving: { provable: boolean } }
    expect(info.proving.provable).toBe(false)
    // asking for proving such a model is refused, nothing stored
    const before = (await app.store.listModels()).length
    const refused = await krain(['models', 'register', 'odd-tanh', '--onnx', join(FIXTURES, entry.file), '--mode', 'committed', '--url', url])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('krain: MODEL_NOT_PROVABLE')
    expect((await app.store.listModels()).length).toBe(before)
  }, 120_000)

  it('lists the powers of tau here and refuses to import a file that is not pinned', async () => {
    const list = await krain(['zk', 'ptau', 'list'])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout)).toContainEqual(expect.objectContaining({ power: 14, maxConstraints: maxConstraints(14), devOnly: true }))
    const junk = join(dir, 'junk.ptau')
    writeFileSync(junk, 'not a powers of tau')
    const bad = await krain(['zk', 'ptau', 'import', junk, '--dir', join(dir, 'ptau')])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/krain: ZK_PTAU\w*: not a pinned powers-of-tau file/)
  })
})
