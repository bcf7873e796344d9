/**
 * Issue 15, items 8–10: the dashboard at /ui in a real headless Chromium (Debian's `chromium`, driven
 * by playwright-core) against a live gateway on anvil. The page talks to the gateway through the
 * SDK's browser bundle (`KrainClient` of `@krain/client/browser`). It signs in with a browser wallet
 * (an EIP-1193 provider injected into the page, backed by a viem private-key account in this
 * process: real signatures), lists a registered model, follows a proof job to `confirmed`, verifies
 * its Groth16 proof in the page (snarkjs) and its receipt against anvil with the SDK's
 * `verifyReceipt` in the page, runs one party of a 3-party MPC session in the page
 * (`MpcParticipant`: X25519/AES-GCM from @noble/* there) with two parties in Node, lists a
 * federated session, and charts /metrics. Screenshots of each page go to packages/gateway/docs/screenshots/
 * (models, jobs, mpc, federated, health).
 * Skipped, with a message, only when Chromium is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import type { BrowserContext, Page } from 'playwright-core'
import { addressOf, type Hex } from '@krain/mpc'
import { breastCancerTask, predictLabel } from '@krain/models'
import { GatewayHttp, KrainClient, MpcParticipant } from '@krain/client'
import { startEmbeddedChain, type EmbeddedChain } from '../src/chain/embedded.js'
import { connectChainAdapter } from '../src/chain/krain-chain.js'
import { signInWith, testGateway, wallet } from './helpers/app.js'

const chromiumPath = process.env.KRAIN_CHROMIUM ?? '/usr/bin/chromium'
const hasChromium = existsSync(chromiumPath)
const pkgDir = fileURLToPath(new URL('..', import.meta.url))
const shots = join(pkgDir, 'docs/screenshots')
if (!hasChromium) console.warn(`ui.test: SKIPPED: no Chromium at ${chromiumPath} (apt-get install chromium, or set KRAIN_CHROMIUM; .ci/chromium.sh does it)`)

/** The wallet behind the page's injected EIP-1193 provider. */
const user = wallet(41)
const partyKeys: Hex[] = [1, 2, 3].map((i) => `0x${(0xfeed00n + BigInt(i)).toString(16).padStart(64, '0')}` as Hex)

describe.skipIf(!hasChromium)('dashboard in headless Chromium, against a gateway on anvil', () => {
  let chain: EmbeddedChain
  let app: FastifyInstance
  let url: string
  let browser: BrowserContext
  let page: Page
  let modelId: string
  const errors: string[] = []
  const walletCalls: string[] = []
  const profile = mkdtempSync(join(tmpdir(), 'krain-chromium-'))

  beforeAll(async () => {
    execFileSync(process.execPath, [join(pkgDir, 'scripts/build-client.mjs'), '--quiet']) // the bundle of the current sources
    chain = await startEmbeddedChain()
    const adapter = await connectChainAdapter({ rpcUrl: chain.rpcUrl, privateKey: chain.privateKey, registryAddress: chain.registryAddress, verifiers: chain.verifiers })
    app = await testGateway({ chain: adapter, config: { outboxIntervalMs: 50, coordinatorKey: `0x${'c1'.repeat(32)}`, publicRpcUrl: chain.rpcUrl } })
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    const owner = new KrainClient({ url, account: wallet(40) })
    modelId = (await owner.registerModel({ name: 'breast_cancer', model: breastCancerTask().model })).id

    const { chromium } = await import('playwright-core')
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1360, height: 860 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    page = await browser.newPage()
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
    // The browser wallet: EIP-1193 `request` in the page, answered here by a real key (the page never sees it).
    await page.exposeFunction('krainWallet', async (method: string, params: unknown[]) => {
      walletCalls.push(method)
      if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [user.address]
      if (method === 'personal_sign') {
        const [data, address] = params as [Hex, string]
        if (address.toLowerCase() !== user.address.toLowerCase()) throw new Error(`personal_sign for an unknown account ${address}`)
        return user.signMessage({ message: { raw: data } })
      }
      throw new Error(`the test wallet does not support ${method}`)
    })
    await page.addInitScript(() => {
      const w = globalThis as unknown as { ethereum: unknown; krainWallet: (m: string, p: unknown[]) => Promise<unknown> }
      w.ethereum = { request: ({ method, params }: { method: string; params?: unknown[] }) => w.krainWallet(method, params ?? []) }
    })
    mkdirSync(shots, { recursive: true })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    await chain?.stop()
    rmSync(profile, { recursive: true, force: true })
  })

  it('signs in with the wallet, proves and verifies in the page, takes part in MPC from the page, charts /metrics', async () => {
    // Sign in with the browser wallet: the gateway's SIWE challenge, signed through personal_sign
    await page.goto(`${url}/ui#/models`)
    await page.click('#wallet-button')
    await page.waitForSelector('#signed-in')
    expect(await page.getAttribute('#signed-in code', 'title')).toBe(user.address)
    expect(walletCalls).toEqual(['eth_requestAccounts', 'personal_sign'])

    // Models: the registered model with its shape and commitment
    const row = page.locator(`tr[data-model="${modelId}"]`)
    await row.waitFor()
    const model = await new GatewayHttp({ url }).request<{ commitment: string; inputs: number }>('GET', `/v1/models/${modelId}`, { auth: false })
    expect(await row.locator('td.shape').textContent()).toContain(`${model.inputs} →`)
    expect(await row.locator('code').nth(1).getAttribute('title')).toBe(model.commitment)
    await row.locator('button[data-plan]').click()
    await page.waitForSelector('#model-detail dl')
    expect(await page.textContent('#model-detail')).toContain('poly modulus degree')
    await page.screenshot({ path: join(shots, 'models.png'), fullPage: true })

    // Jobs: a proof requested by the same wallet (from this process), watched until confirmed
    const task = breastCancerTask()
    const input = task.test.x[3]!
    const agent = new KrainClient({ url, account: user })
    const job = await agent.prove({ modelId, input })
    await page.goto(`${url}/ui#/jobs/${job.id}`)
    await page.waitForSelector(`tr[data-job="${job.id}"]`)
    // (the page polls the job; proving and the chain take what they take on a loaded machine)
    await page.waitForSelector('#job-timeline li[data-state="confirmed"].done, #job-timeline li[data-state="failed"]', { timeout: 150_000 })
    expect(await page.textContent('#job-detail h3 .pill')).toBe('confirmed')
    const receipt = await agent.receipt(job.id)
    expect(await page.getAttribute('#job-tx code', 'title')).toBe(receipt.receipt.txHash)
    expect(await page.textContent('#job-output')).toBe(String(predictLabel(task.model, input)))
    // the proof is checked in the page: snarkjs's Groth16 verifier, the circuit's verification key
    await page.click('#verify-button')
    await page.waitForSelector('#verify-verdict')
    expect(await page.getAttribute('#verify-verdict', 'data-valid')).toBe('true')
    expect(await page.textContent('#verify-verdict')).toContain('verified in this browser')
    // the receipt, checked against anvil by the SDK's verifyReceipt in the page
    await page.waitForSelector('#receipt-verdict:not([data-valid="pending"])', { timeout: 30_000 })
    expect(await page.textContent('#receipt-verdict')).toContain('receipt verified in this browser by verifyReceipt')
    expect(await page.getAttribute('#receipt-verdict', 'data-valid')).toBe('true')
    await page.screenshot({ path: join(shots, 'jobs.png'), fullPage: true })

    // MPC: the signed-in wallet opens a session; three parties (this process) run it to the end
    const parties = partyKeys.map((k) => addressOf(k))
    const creator = new GatewayHttp({ url, account: user })
    const config = await creator.request<{ sessionId: Hex }>('POST', '/v1/mpc/sessions', { body: { parties, threshold: 2, length: 4, bound: 1000, timeoutsMs: { join: 120_000, share: 120_000, sum: 120_000 } } })
    await page.goto(`${url}/ui#/mpc/${config.sessionId}`)
    await page.waitForSelector('#mpc-roster')
    expect(await page.textContent('#mpc-phase')).toBe('join')
    const vectors = [
      [1, 2, 3, 4],
      [10, 20, 30, 40],
      [100, 200, 300, 400],
    ]
    // the third party runs in the page (the SDK's MpcParticipant in the browser bundle); its key is not kept in the form
    await page.waitForSelector('#party-form:not([hidden])')
    await page.fill('#party-key', partyKeys[2]!)
    await page.fill('#party-values', vectors[2]!.join(', '))
    await page.click('#party-button')
    expect(await page.inputValue('#party-key')).toBe('')
    const results = await Promise.all(partyKeys.slice(0, 2).map((privateKey, i) => new MpcParticipant({ url, privateKey, sessionId: config.sessionId, waitMs: 5_000 }).run(vectors[i]!)))
    expect(results[0]!.values).toEqual([111, 222, 333, 444])
    expect(results[0]!.contributors.map((a) => a.toLowerCase())).toContain(parties[2]!.toLowerCase())
    await page.waitForSelector('#party-progress[data-done="true"]', { timeout: 30_000 })
    expect(await page.textContent('#party-progress')).toContain('[111.000, 222.000, 333.000, 444.000]')
    await page.waitForSelector('#mpc-result', { timeout: 20_000 })
    expect(await page.textContent('#mpc-phase')).toBe('done')
    expect(await page.textContent('#mpc-verified')).toBe('verified')
    expect(await page.textContent('#mpc-result code')).toBe('[111.000, 222.000, 333.000, 444.000]')
    expect(await page.locator('#mpc-roster tbody tr').count()).toBe(3)
    expect(await page.locator('#mpc-rounds li.done').count()).toBe(4)
    await page.screenshot({ path: join(shots, 'mpc.png'), fullPage: true })
    // a federated training session of the same wallet (round k of n, hospitals, ε budget)
    const fed = await creator.request<{ id: string }>('POST', '/v1/federated/sessions', {
      body: { name: 'ui-fed', model: breastCancerTask().model, hospitals: parties, rounds: 2, threshold: 2, clip: 1, dp: { epsilon: 2, delta: 1e-5, noiseMultiplier: 1.1 }, consent: { purpose: 'dashboard test', computation: 'fedavg', expiry: Math.floor(Date.now() / 1000) + 3600 } },
    })
    // listed for its creator (GET /v1/federated/sessions), opened from the list
    await page.goto(`${url}/ui#/mpc`)
    const fedRow = page.locator(`#fed-sessions tr[data-fed="${fed.id}"]`)
    await fedRow.waitFor({ timeout: 10_000 })
    expect(await fedRow.textContent()).toContain('1 of 2')
    expect(await fedRow.textContent()).toContain('0/3 consented')
    await fedRow.click()
    await page.waitForSelector('#fed-detail table')
    expect(await page.locator('#fed-detail tbody tr').count()).toBe(3)
    expect(await page.textContent('#fed-detail')).toContain('Round 1 of 2')
    expect(await page.textContent('#fed-detail')).toContain('of 2 (δ = 0.00001)')
    await page.screenshot({ path: join(shots, 'federated.png'), fullPage: true })

    // Chain and queue, and the charts from /metrics (the confirmed proof is in the proof-time chart)
    await page.goto(`${url}/ui#/health`)
    await page.waitForSelector('#chart-proofs figcaption')
    expect(await page.textContent('#chain')).toContain(String(receipt.receipt.chainId))
    expect(await page.textContent('#queue')).toContain('jobs confirmed1')
    await expect.poll(() => page.textContent('#chart-proofs figcaption'), { timeout: 15_000 }).toMatch(/^median /)
    expect(await page.locator('#chart-latency rect.bar').count()).toBeGreaterThan(3)
    await page.waitForSelector('#chart-latency-time path.line') // a second scrape: the series has a line
    await page.screenshot({ path: join(shots, 'health.png'), fullPage: true })

    // Nothing secret was stored by the page
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as { localStorage: { length: number }; sessionStorage: { length: number }; document: { cookie: string } }
      return [g.localStorage.length, g.sessionStorage.length, g.document.cookie]
    })
    expect(stored).toEqual([0, 0, ''])
    expect(errors).toEqual([])
  }, 240_000)

  it('signs in with a pasted session token, which does not stay in the form', async () => {
    const p = await browser.newPage()
    await p.goto(`${url}/ui#/jobs`)
    await p.fill('#token', await signInWith(app, wallet(42)))
    await p.click('#signin-button')
    await p.waitForSelector('#signed-in')
    expect(await p.getAttribute('#signed-in code', 'title')).toBe(wallet(42).address)
    expect(await p.inputValue('#token')).toBe('')
    expect(await p.textContent('#jobs tbody')).toContain('no jobs yet')
    await p.click('#signout')
    await p.waitForSelector('#signin-forms:not([hidden])')
    await p.close()
  })
})
