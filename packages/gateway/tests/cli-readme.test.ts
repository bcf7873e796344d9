/**
 * Keeps the root README's "bring your own model" and "new shape, proven on-chain" tours true: every
 * `npx krain` line of those two sections runs as written (the CLI as its own process) against a
 * gateway with an anvil chain, and what the comments promise is checked: the import report, the
 * encrypted labels equal onnxruntime's, the circuit build confirmed, the receipt valid off-chain
 * and on-chain.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { closeProvers } from '@krain/zk'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { testGateway } from './helpers/app.js'
import { runOrt } from '../../models/tests/onnx-helpers.js'

// The circuit cache of the zk tests: the README's 20-8-4 model is the zk tests' model, built once per machine.
process.env.KRAIN_CIRCUIT_CACHE ??= join(tmpdir(), 'krain-zk-test-circuits')

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const bin = fileURLToPath(new URL('../bin/krain.js', import.meta.url))
const run = promisify(execFile)

/** The `npx krain …` command lines of a README section (continuations joined). */
function commandsOf(readme: string, heading: string): string[] {
  const start = readme.indexOf(heading)
  const section = readme.slice(start, readme.indexOf('\n### ', start + heading.length))
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ''))
  return blocks.flatMap((b) => b.split('\n')).filter((l) => l.startsWith('npx krain '))
}

/** Split a README command line into argv, the way a shell would for these lines. */
function argv(line: string, vars: Record<string, string>): { args: string[]; stdoutTo?: string } {
  let l = line.replace(/\s+#.*$/, '')
  for (const [k, v] of Object.entries(vars)) l = l.replaceAll(k, v)
  let stdoutTo: string | undefined
  const redirect = l.match(/\s>\s*(\S+)\s*$/)
  if (redirect) {
    stdoutTo = redirect[1]
    l = l.slice(0, redirect.index)
  }
  const args = [...l.matchAll(/"\$\(cat ([^)]+)\)"|"([^"]*)"|(\S+)/g)].map((m) => (m[1] ? readFileSync(resolve(root, m[1]), 'utf8').trim() : (m[2] ?? m[3])!))
  return { args: args.slice(2), ...(stdoutTo ? { stdoutTo } : {}) }
}

describe('root README: bring your own model, a new shape on-chain', () => {
  let chain: EmbeddedChain
  let app: FastifyInstance
  let env: Record<string, string>
  const work = mkdtempSync(join(tmpdir(), 'krain-readme-'))
  const readme = readFileSync(join(root, 'README.md'), 'utf8')

  beforeAll(async () => {
    chain = await startEmbeddedChain()
    const adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    // the gateway names its chain (what the embedded anvil of npm start does), so `krain verify` needs no --rpc
    app = await testGateway({ chain: adapter, config: { outboxIntervalMs: 50, publicRpcUrl: chain.rpcUrl } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    env = { ...process.env, KRAIN_URL: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, KRAIN_KEY: `0x${(0xa11ce000n + 60n).toString(16).padStart(64, '0')}` } as Record<string, string>
  }, 60_000)
  afterAll(async () => {
    await app?.close()
    await chain?.stop()
    await closeProvers()
  })

  const krain = async (line: string, vars: Record<string, string>): Promise<{ stdout: string; stderr: string }> => {
    const { args, stdoutTo } = argv(line, vars)
    const r = await run(process.execPath, [bin, ...args], { cwd: root, env }).catch((e: { stdout: string; stderr: string }) => {
      throw new Error(`${line}\n${e.stderr}`)
    })
    if (stdoutTo) writeFileSync(resolve(work, stdoutTo), r.stdout)
    return r
  }

  it('section 2: an ONNX model of a new shape registers and its encrypted labels equal onnxruntime\'s', async () => {
    const lines = commandsOf(readme, '### 2. Bring your own model')
    expect(lines.map((l) => l.split(' ').slice(2, 4).join(' '))).toEqual(['models register', 'infer <model-id>'])
    const reg = await krain(lines[0]!, {})
    expect(reg.stderr).toContain('13 features → 3 outputs (argmax), from ONNX (skl2onnx')
    expect(reg.stderr).toContain('layer 0: 13 → 3, identity')
    expect(reg.stderr).toContain('parameters: 42')
    expect(reg.stderr).toMatch(/HE plan: CKKS N=\d+, depth \d+, .*calibrated input ranges/)
    expect(reg.stderr).toMatch(/provable: yes, generated circuit softmax-13-3-/)
    const id = (JSON.parse(reg.stdout) as { id: string }).id
    const inf = await krain(lines[1]!, { '<model-id>': id })
    const { labels } = JSON.parse(inf.stdout) as { labels: number[] }
    const rows = JSON.parse(readFileSync(join(root, 'packages/gateway/examples/byom/odd13x3-rows.json'), 'utf8')) as number[][]
    const ort = await runOrt(new Uint8Array(readFileSync(join(root, 'packages/models/fixtures/odd13x3_logreg_sklearn_op13.onnx'))), rows, ['label'])
    expect(labels).toEqual(ort.label!.map((r) => Number(r[0])))
  }, 180_000)

  it('section 3: a 20-8-4 ReLU model builds its circuit, proves, and verifies off-chain and on-chain', async () => {
    const lines = commandsOf(readme, '### 3. A model of a new shape')
    expect(lines.map((l) => l.split(' ').slice(2, 4).join(' '))).toEqual(['models register', 'prove <model-id>', 'models circuit', 'verify receipt.json'])
    const reg = await krain(lines[0]!, {})
    expect(reg.stderr).toMatch(/provable: yes, generated circuit net-20-8r-4-argmax-\S+, committed weights/)
    expect(reg.stderr).toMatch(/circuit net-20-8r-4-argmax-\S+: confirmed: \d+ constraints, compile [\d.]+ s, setup [\d.]+ s, verifier 0x[0-9a-fA-F]{40}/)
    const id = (JSON.parse(reg.stdout) as { id: string }).id
    const vars = { '<model-id>': id, '<anvil url printed by npm start>': chain.rpcUrl, 'receipt.json': join(work, 'receipt.json'), 'relu-vkey.json': join(work, 'relu-vkey.json') }
    await krain(lines[1]!, vars)
    const receipt = JSON.parse(readFileSync(join(work, 'receipt.json'), 'utf8')) as { output: string; circuit: string }
    expect(receipt.circuit).toMatch(/^net-20-8r-4-argmax-/)
    await krain(lines[2]!, vars)
    const v = await krain(lines[3]!, vars)
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, offChain: true, onChain: true, recordedByReceiptTx: true })
  }, 240_000)
})
