/**
 * The dashboard's script (bundled for the browser by scripts/build-client.mjs into ui/dist/app.js,
 * with the SDK's browser entry `@krain/client/browser`: KrainClient for the gateway's API,
 * MpcParticipant for "take part from this browser"; snarkjs and verifyReceipt go into a chunk
 * loaded only by "verify in this browser", CKKS into one loaded by nothing here). Pages by hash: #/models, #/jobs[/id], #/mpc[/id], #/health.
 * Sign-in: a browser wallet (EIP-1193 `window.ethereum`, signing the gateway's SIWE challenge) or a
 * pasted session token; either is kept in this page's memory only.
 */
import type { Eip1193Provider } from '@krain/client/browser'
import { $, errorText, h } from './dom.js'
import { closeJob, renderJob, renderJobs } from './pages/jobs.js'
import { renderFederated, renderFederatedSessions } from './pages/federated.js'
import { showParticipantForm, wireParticipant } from './pages/participant.js'
import { renderHealth } from './pages/health.js'
import { renderModels } from './pages/models.js'
import { closeSession, renderSession, renderSessions } from './pages/mpc.js'
import { onSessionChange, signInWithToken, signInWithWallet, signOut, whoami } from './session.js'

const PAGES = ['models', 'jobs', 'mpc', 'health'] as const
type Page = (typeof PAGES)[number]

function route(): { page: Page; id: string | null } {
  const [, page, id] = /^#\/([a-z]+)(?:\/(.+))?$/.exec(location.hash) ?? []
  return { page: (PAGES as readonly string[]).includes(page ?? '') ? (page as Page) : 'models', id: id ? decodeURIComponent(id) : null }
}

async function show(): Promise<void> {
  const { page, id } = route()
  for (const p of PAGES) $(`page-${p}`).hidden = p !== page
  document.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === page))
  document.body.dataset.page = page
  if (page !== 'jobs') closeJob()
  if (page !== 'mpc') closeSession()
  if (page === 'models') await renderModels()
  if (page === 'jobs') await Promise.all([renderJobs(), id ? renderJob(id) : Promise.resolve($('job-detail').replaceChildren(h('p', { class: 'muted' }, 'pick a job, or open one by id')))])
  if (page === 'mpc') showParticipantForm(id)
  if (page === 'mpc') await Promise.all([renderSessions(), renderFederatedSessions(), id ? renderSession(id) : Promise.resolve($('mpc-detail').replaceChildren(h('p', { class: 'muted' }, 'pick a session')))])
  if (page === 'health') await renderHealth()
}

function showWho(): void {
  const me = whoami()
  $('who').replaceChildren(me ? h('span', { id: 'signed-in' }, 'signed in as ', h('code', { title: me.address }, `${me.address.slice(0, 8)}…${me.address.slice(-4)}`), me.roles?.length ? h('small', {}, ` ${me.roles.join(', ')}`) : null) : h('span', { class: 'muted' }, 'not signed in'))
  $('signin-forms').hidden = me !== null
  $('signout').hidden = me === null
}

const ethereum = (): Eip1193Provider | undefined => (globalThis as { ethereum?: Eip1193Provider }).ethereum

function wire(): void {
  $('wallet-button').addEventListener('click', () => {
    const provider = ethereum()
    if (!provider) {
      $('signin-error').textContent = 'no browser wallet found (window.ethereum); paste a session token instead (krain auth token)'
      return
    }
    $('signin-error').textContent = 'waiting for the wallet to sign…'
    signInWithWallet(provider).then(
      () => ($('signin-error').textContent = ''),
      (e: unknown) => ($('signin-error').textContent = errorText(e)),
    )
  })
  $('signin').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const input = $<HTMLInputElement>('token')
    const token = input.value.trim()
    input.value = '' // the token does not stay in the form
    if (!token) return
    signInWithToken(token).then(
      () => ($('signin-error').textContent = ''),
      (e: unknown) => ($('signin-error').textContent = errorText(e)),
    )
  })
  $('signout').addEventListener('click', () => void signOut())
  wireParticipant()
  $('fed-form').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const id = $<HTMLInputElement>('fed-id').value.trim()
    if (id) void renderFederated(id)
  })
  $('job-open').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const id = $<HTMLInputElement>('job-id').value.trim()
    if (id) location.hash = `#/jobs/${encodeURIComponent(id)}`
  })
  onSessionChange(() => {
    showWho()
    void show()
  })
  window.addEventListener('hashchange', () => void show())
}

async function pulse(): Promise<void> {
  const el = $('health')
  try {
    const r = await fetch('/healthz')
    const body = (await r.json()) as { status?: string; chainStatus?: string }
    el.textContent = body.status === 'ok' ? `ok · chain ${body.chainStatus ?? '?'}` : String(body.status)
    el.className = `pill ${body.status === 'ok' ? 'state-confirmed' : 'state-failed'}`
  } catch (e) {
    el.textContent = `unreachable`
    el.title = errorText(e)
    el.className = 'pill state-failed'
  }
}

wire()
showWho()
$('wallet-button').hidden = false
void show()
void pulse()
setInterval(() => void pulse(), 5_000)
// the list pages and the charts refresh themselves every few seconds
setInterval(() => {
  const { page, id } = route()
  if (document.hidden) return
  if (page === 'health') void renderHealth()
  if (page === 'models') void renderModels()
  if (page === 'jobs' && !id) void renderJobs()
  if (page === 'mpc' && !id) void Promise.all([renderSessions(), renderFederatedSessions()])
}, 3_000)
