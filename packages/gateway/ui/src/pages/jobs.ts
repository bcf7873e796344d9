/**
 * Jobs: the signed-in caller's jobs, and one job's state timeline, receipt (transaction hash,
 * block, chain) and a "verify in this browser" button that checks the Groth16 proof here (snarkjs)
 * and, once confirmed, the receipt against the chain with the SDK's `verifyReceipt`.
 */
import { $, errorText, fill, h, pill, short, time } from '../dom.js'
import { api, client, whoami } from '../session.js'

type JobSummary = { id: string; kind: string; state: string; modelId: string | null; createdAt: number; updatedAt: number; txHash: string | null; error: { code: string; message: string } | null }
/** `GET /v1/jobs/:id` (the gateway's JobView). */
type JobView = JobSummary & {
  owner: string
  result: { circuit: string; output: string; modelCommitment: string; inputCommitment: string; publicSignals: string[]; proof: unknown; receipt?: { txHash: string; blockNumber: string; chainId: number; registry: string } } | null
}

const STATES = ['queued', 'proving', 'proved', 'submitted', 'confirmed'] as const
const FINAL = new Set(['confirmed', 'failed'])
/** When this page first saw each job in each state (the gateway keeps only the latest state). */
const seen = new Map<string, Map<string, number>>()
let openJob: string | null = null
let timer: ReturnType<typeof setTimeout> | undefined

/** Render the job list. */
export async function renderJobs(): Promise<void> {
  const body = $('jobs').querySelector('tbody')!
  if (!whoami()) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '6', class: 'muted' }, 'sign in to see your jobs')))
    return
  }
  try {
    const jobs = await api().request<JobSummary[]>('GET', '/v1/jobs', { query: { limit: 50 } })
    body.replaceChildren(
      ...(jobs.length
        ? jobs.map((j) =>
            h(
              'tr',
              { data: { job: j.id }, class: j.id === openJob ? 'selected' : '', on: { click: () => (location.hash = `#/jobs/${encodeURIComponent(j.id)}`) } },
              h('td', {}, short(j.id, 13)),
              h('td', {}, j.kind),
              h('td', {}, j.modelId ?? '—'),
              h('td', {}, pill(j.state), j.error ? h('span', { class: 'warn', title: j.error.message }, ` ${j.error.code}`) : null),
              h('td', {}, short(j.txHash, 10)),
              h('td', { class: 'muted' }, time(j.createdAt)),
            ),
          )
        : [h('tr', {}, h('td', { colspan: '6', class: 'muted' }, 'no jobs yet: krain prove …'))]),
    )
  } catch (e) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '6', class: 'warn' }, errorText(e))))
  }
}

function timeline(job: JobView): HTMLElement {
  const marks = seen.get(job.id) ?? new Map<string, number>()
  seen.set(job.id, marks)
  if (!marks.has(job.state)) marks.set(job.state, job.state === 'queued' ? job.createdAt : Date.now())
  const failed = job.state === 'failed'
  const reached = failed ? STATES.findIndex((s) => !marks.has(s)) - 1 : STATES.indexOf(job.state as (typeof STATES)[number])
  return h(
    'ol',
    { class: 'timeline', id: 'job-timeline' },
    ...STATES.map((s, i) => {
      const at = s === 'queued' ? job.createdAt : s === job.state ? job.updatedAt : marks.get(s)
      return h('li', { class: i <= reached ? 'done' : '', data: { state: s } }, h('span', { class: 'dot' }), h('span', {}, s), h('small', {}, i <= reached && at ? time(at) : ''))
    }),
    failed ? h('li', { class: 'failed', data: { state: 'failed' } }, h('span', { class: 'dot' }), h('span', {}, 'failed'), h('small', {}, time(job.updatedAt))) : null,
  )
}

async function verifyHere(job: JobView, out: HTMLElement): Promise<void> {
  const r = job.result
  if (!r) return
  out.replaceChildren(h('span', { class: 'muted' }, 'loading the verifier (snarkjs) and the verification key…'))
  try {
    const [{ verifyGroth16InBrowser, verifyReceiptInBrowser }, key] = await Promise.all([import('../verify.js'), api().request<{ circuit: string; vkey: Record<string, unknown> }>('GET', `/v1/dashboard/jobs/${encodeURIComponent(job.id)}/verification-key`)])
    const started = performance.now()
    const valid = await verifyGroth16InBrowser(key.vkey, r.publicSignals, r.proof)
    const ms = Math.round(performance.now() - started)
    // the proof's public signals must be the ones the job reports: [output, model commitment, input commitment]
    const consistent = r.publicSignals[0] === r.output && r.publicSignals[1] === r.modelCommitment && r.publicSignals[2] === r.inputCommitment
    const proofVerdict = valid && consistent
      ? h('span', { class: 'ok', id: 'verify-verdict', data: { valid: 'true' } }, `✓ valid: the Groth16 proof of ${key.circuit} verified in this browser (${ms} ms); it attests output ${r.output} for model commitment ${r.modelCommitment.slice(0, 10)}…`)
      : h('span', { class: 'bad', id: 'verify-verdict', data: { valid: 'false' } }, `✗ invalid: ${valid ? 'the public signals do not match the job' : 'the pairing check failed'} (${ms} ms)`)
    out.replaceChildren(proofVerdict)
    if (job.state !== 'confirmed') return
    // the receipt, checked against the chain by the SDK in this page (the chain's public RPC from /healthz)
    const receiptOut = h('p', { id: 'receipt-verdict', class: 'muted', data: { valid: 'pending' } }, 'checking the receipt against the chain (verifyReceipt)…')
    out.append(receiptOut)
    const [health, receipt] = await Promise.all([client().health(), client().receipt(job.id)])
    const rpcUrl = health.chain?.rpcUrl
    if (!rpcUrl) {
      receiptOut.replaceChildren('the gateway announces no public RPC (KRAIN_PUBLIC_RPC_URL), so the receipt is not checked against the chain here')
      receiptOut.dataset.valid = 'unchecked'
      return
    }
    const v = await verifyReceiptInBrowser(receipt, rpcUrl, key.vkey)
    receiptOut.className = v.valid ? 'ok' : 'bad'
    receiptOut.dataset.valid = String(v.valid)
    receiptOut.replaceChildren(
      v.valid
        ? `✓ receipt verified in this browser by verifyReceipt: the registry ${receipt.receipt.registry.slice(0, 10)}… on chain ${v.chainId} holds this inference, recorded by transaction ${receipt.receipt.txHash.slice(0, 10)}… in block ${v.blockNumber}, and its verifier contract accepts the proof`
        : `✗ receipt not valid: ${v.reasons.join('; ')}`,
    )
  } catch (e) {
    out.replaceChildren(h('span', { class: 'bad', id: 'verify-verdict', data: { valid: 'error' } }, errorText(e)))
  }
}

/** Render one job (and keep it fresh until it is final). */
export async function renderJob(id: string): Promise<void> {
  openJob = id
  clearTimeout(timer)
  const box = $('job-detail')
  if (!whoami()) {
    box.replaceChildren(h('p', { class: 'muted' }, 'sign in to see this job'))
    return
  }
  let job: JobView
  try {
    job = (await client().job(id)) as unknown as JobView
  } catch (e) {
    box.replaceChildren(h('h3', {}, `Job ${id}`), h('p', { class: 'warn' }, errorText(e)))
    return
  }
  if (openJob !== id) return
  const r = job.result
  const receipt = r?.receipt
  const prev = box.dataset.job === id ? box.querySelector<HTMLElement>('#verify-result') : null
  const verifyOut = prev ?? h('div', { id: 'verify-result' })
  box.dataset.job = id
  fill(
    box,
    h('h3', {}, 'Job ', h('code', {}, job.id), ' ', pill(job.state)),
    timeline(job),
    job.error ? h('p', { class: 'bad' }, `${job.error.code}: ${job.error.message}`) : null,
    h(
      'dl',
      {},
      h('dt', {}, 'model'),
      h('dd', {}, job.modelId ?? '—'),
      h('dt', {}, 'owner'),
      h('dd', {}, short(job.owner, 12)),
      h('dt', {}, 'output'),
      h('dd', { id: 'job-output' }, r?.output ?? '—'),
      h('dt', {}, 'circuit'),
      h('dd', {}, r?.circuit ?? '—'),
      h('dt', {}, 'model commitment'),
      h('dd', {}, short(r?.modelCommitment, 16)),
      h('dt', {}, 'input commitment'),
      h('dd', {}, short(r?.inputCommitment, 16)),
      h('dt', {}, 'transaction'),
      h('dd', { id: 'job-tx' }, short(receipt?.txHash ?? job.txHash, 18)),
      h('dt', {}, 'block · chain'),
      h('dd', {}, receipt ? `${receipt.blockNumber} · chain ${receipt.chainId}` : '—'),
      h('dt', {}, 'registry'),
      h('dd', {}, short(receipt?.registry, 12)),
    ),
    r
      ? h('p', {}, h('button', { id: 'verify-button', on: { click: () => void verifyHere(job, verifyOut) } }, 'Verify in this browser'), ' ', h('span', { class: 'muted' }, 'checks the Groth16 proof with snarkjs here, and a confirmed receipt against the chain with the SDK; the gateway is not asked whether it is valid'))
      : null,
    verifyOut,
  )
  if (!FINAL.has(job.state)) {
    timer = setTimeout(() => {
      if (openJob === id && location.hash.startsWith('#/jobs')) void Promise.all([renderJob(id), renderJobs()])
    }, 700)
  }
}

/** Stop refreshing the open job. */
export function closeJob(): void {
  openJob = null
  clearTimeout(timer)
}
