/**
 * Secret contracts through the gateway (issue 18): the clinical risk score is deployed, called by a
 * listed agent with encrypted breast_cancer rows (SDK and CLI), and the decrypted results equal the
 * interpreter within the plan's bound; a leaking program is refused at deploy with its position; a
 * caller the owner did not list is refused; the contract's rate limit holds; the source hash is
 * recorded in ContractRegistry on a real anvil (read back from the chain), with a retry path for a
 * row whose record failed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { ContractClient } from '@krain/client'
import { createChainClient, deployContracts, getContractRecord, startAnvil, type Anvil } from '@krain/chain'
import { planHashOf } from '../src/contracts/contract-recorder.js'
import { compileContract, compileForGateway, interpretContract } from '@krain/contracts-lang'
import { breastCancerTask } from '@krain/models'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'
import { runKrain } from './helpers/krain-bin.js'

// the README's clinical risk score with a degree-3 sigmoid: small enough to evaluate in x, so the
// plan fits N = 8192 and the keys are made and uploaded quickly
const RISK_SCORE = `# clinical risk score: weighted sum + sigmoid
input x: enc vec<30> in [-2, 2]
input w: plain vec<30> in [-0.1, 0.1]
input bias: plain f64 in [-1, 1]
let z = dot(w, x) + bias
output risk = sigmoid(z) in [-8, 8] degree 3
`
const LEAK = `input x: enc f64 in [0, 1]
output plain shown = x * 2
`

const clip = (v: number) => Math.max(-2, Math.min(2, v))
const keyHex = (i: number) => `0x${(0xa11ce000n + BigInt(i)).toString(16).padStart(64, '0')}`

describe('secret contracts on the gateway', () => {
  let app: FastifyInstance
  let url: string
  let anvil: Anvil
  let contractRegistry: `0x${string}`
  const task = breastCancerTask()
  const rows = task.test.x.slice(0, 12).map((r) => ({ x: r.map(clip) }))
  const plain = { w: task.model.weights.flat().slice(0, 30).map((v: number) => Math.max(-0.1, Math.min(0.1, v))), bias: 0.25 }
  beforeAll(async () => {
    anvil = await startAnvil()
    const client = await createChainClient({ rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]! })
    const deployed = await deployContracts({ client, circuits: [] })
    contractRegistry = deployed.contractRegistry
    app = await testGateway({ config: { rpcUrl: anvil.rpcUrl, privateKey: anvil.privateKeys[0]!, registryAddress: deployed.registry } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    await app?.close()
    await anvil?.stop()
  })

  it('deploys the risk score; a listed agent calls it with ciphertexts and decrypts the interpreter’s values', async () => {
    const owner = new ContractClient({ url, account: wallet(40) })
    const agent = new ContractClient({ url, account: wallet(41) })
    const info = await owner.deploy({ source: RISK_SCORE, callers: [wallet(41).address], rateLimit: { calls: 1, windowSeconds: 3600 } })
    expect(info).toMatchObject({ owner: wallet(40).address, scheme: 'ckks', callers: [wallet(41).address] })
    expect(info.hash).toMatch(/^[0-9a-f]{64}$/)
    // the source hash is recorded on-chain by the gateway's account: read it back from the chain
    expect(info.record).toMatchObject({ chainId: 31337, registry: contractRegistry })
    const reader = await createChainClient({ rpcUrl: anvil.rpcUrl })
    const onChain = await getContractRecord({ client: reader, registry: contractRegistry, sourceHash: `0x${info.hash}` })
    const row = await app.store.getContract(info.id)
    expect(row!.txHash).toBe(info.record!.txHash)
    expect(onChain).toMatchObject({ sourceHash: `0x${info.hash}`, planHash: planHashOf(row!.plan), uri: `krain:contract:${info.id}?owner=${wallet(40).address}`, blockNumber: BigInt(info.record!.block) })
    const receipt = await reader.publicClient.getTransactionReceipt({ hash: info.record!.txHash as `0x${string}` })
    expect(receipt.status).toBe('success')
    const token = await signInWith(app, wallet(40))
    expect((await app.inject({ method: 'GET', url: `/v1/contracts/${info.id}`, headers: bearer(token) })).json().record).toEqual(info.record)
    const got = await agent.call({ id: info.id, rows, plain })
    expect(got.rows).toHaveLength(rows.length)
    rows.forEach((r, i) => {
      const want = interpretContract(RISK_SCORE, { ...r, ...plain }).risk as number
      expect(Math.abs((got.rows[i]!.risk as number) - want)).toBeLessThanOrEqual(got.errorBounds.risk!)
    })
    // the gateway stored ciphertexts' keys and the plan, never a secret key or a plaintext row
    const dump = JSON.stringify(await app.store.dump())
    expect(dump).not.toContain(String(rows[0]!.x[3]))
    // the rate limit: one call per hour for this caller
    await expect(agent.call({ id: info.id, rows: rows.slice(0, 1), plain })).rejects.toMatchObject({ code: 'CONTRACT_RATE_LIMITED' })
    // a caller the owner did not list
    const stranger = new ContractClient({ url, account: wallet(42) })
    await expect(stranger.call({ id: info.id, rows: rows.slice(0, 1), plain })).rejects.toMatchObject({ code: 'POLICY_DENIED' })
    await Promise.all([agent.dispose(), stranger.dispose()])
  }, 300_000)

  it('a contract stored without its record (the transaction failed) is recorded by POST /v1/contracts/:id/record, once', async () => {
    const source = RISK_SCORE.replace('bias: plain f64', 'bias2: plain f64').replace('+ bias', '+ bias2')
    const token = await signInWith(app, wallet(45))
    const dep = await app.inject({ method: 'POST', url: '/v1/contracts', headers: bearer(token), payload: { source } })
    expect(dep.statusCode).toBe(201)
    const id = dep.json().id as string
    // the state a failed transaction leaves: the row with txHash null and no record
    const row = (await app.store.getContract(id))!
    const pending = { ...row, id: `${id}_pending`, hash: 'ab'.repeat(32), txHash: null }
    await app.store.putContract(pending)
    expect((await app.inject({ method: 'GET', url: `/v1/contracts/${pending.id}`, headers: bearer(token) })).json().record).toBeNull()
    const other = await signInWith(app, wallet(46))
    expect((await app.inject({ method: 'POST', url: `/v1/contracts/${pending.id}/record`, headers: bearer(other) })).statusCode).toBe(404)
    const rec = await app.inject({ method: 'POST', url: `/v1/contracts/${pending.id}/record`, headers: bearer(token) })
    expect(rec.statusCode).toBe(200)
    expect(rec.json().record).toMatchObject({ chainId: 31337, registry: contractRegistry })
    const reader = await createChainClient({ rpcUrl: anvil.rpcUrl })
    expect(await getContractRecord({ client: reader, registry: contractRegistry, sourceHash: `0x${pending.hash}` })).toMatchObject({ uri: `krain:contract:${pending.id}?owner=${wallet(45).address}` })
    // a second retry sends nothing: the same transaction
    expect((await app.inject({ method: 'POST', url: `/v1/contracts/${pending.id}/record`, headers: bearer(token) })).json().record).toEqual(rec.json().record)
  }, 120_000)

  it('refuses a leaking program at deploy with its line and column, and stores nothing', async () => {
    const token = await signInWith(app, wallet(43))
    const r = await app.inject({ method: 'POST', url: '/v1/contracts', headers: bearer(token), payload: { source: LEAK } })
    expect(r.statusCode).toBe(422)
    expect(r.json()).toMatchObject({ code: 'CONTRACT_LEAK' })
    expect(r.json().message).toMatch(/^2:1: output "shown" is declared plain/)
    expect((await app.store.dump()).contracts!.every((c) => (c as { source: string }).source !== LEAK)).toBe(true)
    const bad = await app.inject({ method: 'POST', url: '/v1/contracts', headers: bearer(token), payload: { source: 'input x: enc f64 in [0, 1]\noutput y = x +\n' } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'CONTRACT_SYNTAX' })
    expect(bad.json().message).toMatch(/^\d+:\d+: /)
  })

  it('compiles an additions-only program for CKKS (the gateway runs CKKS plans) and refuses an exact-integer one at deploy, storing nothing', async () => {
    const token = await signInWith(app, wallet(44))
    const sums = 'input x: enc vec<8> in [-10, 10]\ninput w: plain vec<8> in [-1, 1]\noutput s = dot(w, x) + sum(x)\n'
    expect(compileContract(sums).plan.scheme).toBe('paillier')
    const ok = await app.inject({ method: 'POST', url: '/v1/contracts', headers: bearer(token), payload: { source: sums } })
    expect(ok.statusCode).toBe(201)
    expect(ok.json()).toMatchObject({ scheme: 'ckks', hash: compileForGateway(sums).hash })
    const exact = 'input a: enc int in [-50, 50]\ninput b: enc int in [0, 20]\noutput s = a * b - 3\n'
    const r = await app.inject({ method: 'POST', url: '/v1/contracts', headers: bearer(token), payload: { source: exact } })
    expect(r.statusCode).toBe(422)
    expect(r.json()).toMatchObject({ code: 'CONTRACT_UNSUPPORTED' })
    expect((await app.store.dump()).contracts!.every((c) => (c as { source: string }).source !== exact)).toBe(true)
  })

  it('the root README shows this contract and these commands', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
    const section = readme.slice(readme.indexOf('## Secret contracts'))
    expect(section).toContain(`\`\`\`krn\n${RISK_SCORE}\`\`\``)
    for (const cmd of ['npx krain contract compile risk.krn', 'npx krain contract deploy risk.krn', 'npx krain contract call ID --input rows.json --plain plain.json']) expect(section).toContain(cmd)
  })

  it('krain contract check|compile|deploy|call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krain-contract-'))
    writeFileSync(join(dir, 'risk.krn'), RISK_SCORE)
    writeFileSync(join(dir, 'leak.krn'), LEAK)
    writeFileSync(join(dir, 'rows.json'), JSON.stringify(rows.slice(0, 3)))
    writeFileSync(join(dir, 'plain.json'), JSON.stringify(plain))
    const env = { KRAIN_URL: url, KRAIN_KEY: keyHex(44) }
    const plan = await runKrain(['contract', 'compile', join(dir, 'risk.krn')], { env })
    expect(plan.code).toBe(0)
    expect(JSON.parse(plan.stdout)).toMatchObject({ scheme: 'ckks', depth: 3, galoisSteps: [1, 2, 4, 8, 16], parameters: { polyModulusDegree: 8192 } })
    const leak = await runKrain(['contract', 'check', join(dir, 'leak.krn')], { env })
    expect(leak.code).toBe(1)
    expect(leak.stderr).toContain('krain: CONTRACT_LEAK: 2:1: output "shown" is declared plain')
    const dep = await runKrain(['contract', 'deploy', join(dir, 'risk.krn')], { env })
    expect(dep.code).toBe(0)
    const { id } = JSON.parse(dep.stdout) as { id: string }
    const call = await runKrain(['contract', 'call', id, '--input', join(dir, 'rows.json'), '--plain', join(dir, 'plain.json')], { env })
    expect(call.stderr).toBe('')
    const res = JSON.parse(call.stdout) as { rows: { risk: number }[]; errorBounds: { risk: number } }
    rows.slice(0, 3).forEach((r, i) => {
      const want = interpretContract(RISK_SCORE, { ...r, ...plain }).risk as number
      expect(Math.abs(res.rows[i]!.risk - want)).toBeLessThanOrEqual(res.errorBounds.risk)
    })
  }, 300_000)
})
