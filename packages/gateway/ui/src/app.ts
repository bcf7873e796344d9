/**
 * The dashboard's script (bundled for the browser by scripts/build-client.mjs into ui/dist/app.js):
 * health and chain status, the models, a job and an MPC session, through the SDK's `GatewayHttp`.
 * A pasted session token is kept in memory only (nothing is written to storage).
 */
import { GatewayHttp } from '@krain/client/http'

type Health = { status: string; store: string; chain: { chainId: number; registry: string } | null; chainStatus?: unknown; workers: number; uptimeSeconds: number }
type Model = { id: string; name?: string; inputs?: number; outputs?: number; commitment?: string; he?: unknown; proving?: unknown; shape?: { inputs: number; outputs: number } }

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T
let http = new GatewayHttp({ url: location.origin })

const text = (v: unknown): string => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v))
const cell = (v: unknown, code = false): HTMLTableCellElement => {
  const td = document.createElement('td')
  if (code) {
    const c = document.createElement('code')
    c.textContent = text(v)
    td.append(c)
  } else td.textContent = text(v)
  return td
}

async function showHealth(): Promise<void> {
  const pill = $('health')
  try {
    const h = await http.request<Health>('GET', '/healthz', { auth: false })
    pill.textContent = h.status
    pill.className = `pill ${h.status === 'ok' ? 'ok' : 'bad'}`
    const rows: [string, unknown][] = [
      ['store', h.store],
      ['chain id', h.chain?.chainId ?? 'none'],
      ['registry', h.chain?.registry ?? '—'],
      ['chain status', h.chainStatus],
      ['workers', h.workers],
      ['uptime', `${Math.round(h.uptimeSeconds)} s`],
    ]
    $('chain').replaceChildren(...rows.flatMap(([k, v]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: text(v) })]))
  } catch (e) {
    pill.textContent = `unreachable: ${(e as Error).message}`
    pill.className = 'pill bad'
  }
}

const provingText = (p: unknown): string => {
  const x = p as { provable?: boolean; mode?: string; reason?: string } | undefined
  if (!x || typeof x !== 'object') return text(p)
  return x.provable ? `provable (${x.mode ?? 'committed'})` : `not provable${x.reason ? `: ${x.reason}` : ''}`
}

async function showModels(): Promise<void> {
  const body = $('models').querySelector('tbody')!
  try {
    const list = await http.request<Model[] | { models: Model[] }>('GET', '/v1/models', { auth: false })
    const models = Array.isArray(list) ? list : list.models
    body.replaceChildren(
      ...models.map((m) => {
        const tr = document.createElement('tr')
        tr.dataset.model = m.id
        const shape = m.shape ?? { inputs: m.inputs, outputs: m.outputs }
        tr.append(cell(m.id, true), cell(`${shape.inputs ?? '?'} → ${shape.outputs ?? '?'}`), cell(m.commitment ? `${m.commitment.slice(0, 18)}…` : '—', true), cell(m.he ? 'planned' : '—'), cell(provingText(m.proving)))
        return tr
      }),
    )
    if (models.length === 0) body.replaceChildren(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="5">no models yet</td>' }))
  } catch (e) {
    body.replaceChildren(Object.assign(document.createElement('tr'), { textContent: `error: ${(e as Error).message}` }))
  }
}

async function show(target: string, path: string): Promise<void> {
  try {
    $(target).textContent = JSON.stringify(await http.request('GET', path), null, 2)
  } catch (e) {
    const x = e as { code?: string; message: string }
    $(target).textContent = `${x.code ?? 'ERROR'}: ${x.message}`
  }
}

$('signin').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const token = $<HTMLInputElement>('token').value.trim()
  http = new GatewayHttp({ url: location.origin, ...(token ? { token } : {}) })
  $<HTMLInputElement>('token').value = ''
  void http.request<{ address: string; roles?: string[] }>('GET', '/v1/auth/me').then(
    (me) => ($('who').textContent = `signed in as ${me.address}${me.roles ? ` (${me.roles.join(', ')})` : ''}`),
    (e: Error) => ($('who').textContent = `not signed in: ${e.message}`),
  )
})
$('refresh').addEventListener('click', () => void Promise.all([showHealth(), showModels()]))
$('job-form').addEventListener('submit', (ev) => {
  ev.preventDefault()
  void show('job', `/v1/jobs/${encodeURIComponent($<HTMLInputElement>('job-id').value.trim())}`)
})
$('mpc-form').addEventListener('submit', (ev) => {
  ev.preventDefault()
  void show('mpc', `/v1/mpc/sessions/${encodeURIComponent($<HTMLInputElement>('mpc-id').value.trim())}`)
})

void showHealth()
void showModels()
setInterval(() => void showHealth(), 5_000)
