/**
 * Issue 15, items 8–10 (first part): the dashboard at /ui, loaded from a live gateway in a real
 * headless Chromium (Debian's `chromium`, driven by playwright-core). It shows the gateway's health and
 * chain, lists a registered model, and signing in with a pasted session token shows the signer;
 * screenshots go to packages/gateway/test-output/. Skipped, with a message, when chromium is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import type { BrowserContext } from 'playwright-core'
import { bearer, signInWith, testGateway, wallet } from './helpers/app.js'

const chromiumPath = process.env.KRAIN_CHROMIUM ?? '/usr/bin/chromium'
const hasChromium = existsSync(chromiumPath)
const pkgDir = fileURLToPath(new URL('..', import.meta.url))
const shots = join(pkgDir, 'test-output')
if (!hasChromium) console.warn(`ui.test: skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set KRAIN_CHROMIUM)`)

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  let app: FastifyInstance
  let url: string
  let browser: BrowserContext
  let token: string
  let modelId: string
  const profile = mkdtempSync(join(tmpdir(), 'krain-chromium-'))

  beforeAll(async () => {
    execFileSync(process.execPath, [join(pkgDir, 'scripts/build-client.mjs'), '--quiet']) // the bundle of the current sources
    app = await testGateway()
    url = await app.listen({ host: '127.0.0.1', port: 0 })
    token = await signInWith(app, wallet(1))
    const r = await app.inject({ method: 'POST', url: '/v1/models', headers: bearer(token), payload: { name: 'tiny', model: { kind: 'linear', weights: [1, -2], bias: 0.5 } } })
    expect(r.statusCode).toBe(201)
    modelId = (r.json() as { id: string }).id
    const { chromium } = await import('playwright-core')
    // a new, empty profile directory (playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    mkdirSync(shots, { recursive: true })
  })
  afterAll(async () => {
    await browser?.close()
    await app?.close()
    rmSync(profile, { recursive: true, force: true })
  })

  it('shows health, chain and models, and signs in with a pasted token', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
    await page.goto(`${url}/ui`)
    await expect.poll(() => page.textContent('#health')).toBe('ok')
    expect(await page.textContent('#chain')).toContain('sqlite')
    await page.waitForSelector(`tr[data-model="${modelId}"]`)
    expect(await page.textContent(`tr[data-model="${modelId}"]`)).toContain('2 → 1')
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true })

    await page.fill('#token', token)
    await page.click('#signin-button')
    await expect.poll(() => page.textContent('#who')).toContain(`signed in as ${wallet(1).address}`)
    expect(await page.inputValue('#token')).toBe('') // the token does not stay in the form
    await page.fill('#job-id', 'no-such-job')
    await page.click('#job-form button')
    await expect.poll(() => page.textContent('#job')).toMatch(/^[A-Z_]+: /)
    await page.screenshot({ path: join(shots, 'dashboard-signed-in.png'), fullPage: true })
    expect(errors.filter((e) => !/404|Failed to load resource/.test(e))).toEqual([])
    expect(existsSync(join(shots, 'dashboard.png'))).toBe(true)
  })
})
