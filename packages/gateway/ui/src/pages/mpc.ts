/**
 * MPC sessions: the sessions the caller may read, and one session's roster (who joined, uploaded
 * shares, sent a sum-share), round progress with deadlines as times, dropouts, and the result
 * (verified or not, and how many lying sum-share holders it tolerates).
 */
import { $, errorText, fill, h, pill, relative, short, time } from '../dom.js'
import { api, whoami } from '../session.js'

type Summary = { id: string; creator: string; phase: string; parties: string[]; threshold: number; minContributors: number; length: number; deadlines: { join: number; share: number; sum: number }; joined: string[]; uploaded: string[]; summed: string[]; failure: { code: string; message: string } | null; createdAt: number; updatedAt: number }
type Result = { contributors: string[]; sumShareHolders: string[]; cheaters: string[]; dealersBlamed?: string[]; verified: boolean; liarTolerance: number; values: number[] }

const ROUNDS = [
  ['join', 'join'],
  ['share', 'shares'],
  ['sum', 'sum-shares'],
  ['done', 'result'],
] as const
const FINAL = new Set(['done', 'failed'])
let openSession: string | null = null
let timer: ReturnType<typeof setTimeout> | undefined

const has = (list: string[], a: string): boolean => list.some((x) => x.toLowerCase() === a.toLowerCase())

/** Render the session list. */
export async function renderSessions(): Promise<void> {
  const body = $('sessions').querySelector('tbody')!
  if (!whoami()) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '5', class: 'muted' }, 'sign in to see the sessions you created or take part in')))
    return
  }
  try {
    const list = await api().request<Summary[]>('GET', '/v1/dashboard/mpc/sessions')
    body.replaceChildren(
      ...(list.length
        ? list.map((s) =>
            h(
              'tr',
              { data: { session: s.id }, class: s.id === openSession ? 'selected' : '', on: { click: () => (location.hash = `#/mpc/${s.id}`) } },
              h('td', {}, short(s.id, 10)),
              h('td', {}, pill(s.phase)),
              h('td', {}, `${s.joined.length}/${s.parties.length} joined · ${s.uploaded.length} shared · ${s.summed.length} summed`),
              h('td', {}, `t = ${s.threshold}, ≥ ${s.minContributors} contributors, ${s.length} values`),
              h('td', { class: 'muted' }, time(s.createdAt)),
            ),
          )
        : [h('tr', {}, h('td', { colspan: '5', class: 'muted' }, 'no sessions yet: krain mpc create …'))]),
    )
  } catch (e) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '5', class: 'warn' }, errorText(e))))
  }
}

function progress(s: Summary): HTMLElement {
  const at = s.phase === 'failed' ? -1 : ROUNDS.findIndex(([p]) => p === s.phase)
  return h(
    'ol',
    { class: 'timeline', id: 'mpc-rounds' },
    ...ROUNDS.map(([phase, label], i) => {
      const deadline = phase === 'done' ? null : s.deadlines[phase]
      const current = i === at && phase !== 'done'
      return h(
        'li',
        { class: `${i < at || s.phase === 'done' ? 'done' : ''}${current ? ' current' : ''}`, data: { round: phase } },
        h('span', { class: 'dot' }),
        h('span', {}, label),
        h('small', {}, deadline ? `${current ? 'closes' : 'deadline'} ${time(deadline)}${current ? ` (${relative(deadline)})` : ''}` : ''),
      )
    }),
    s.phase === 'failed' ? h('li', { class: 'failed' }, h('span', { class: 'dot' }), h('span', {}, 'failed')) : null,
  )
}

function roster(s: Summary, result: Result | null): HTMLElement {
  const mark = (ok: boolean): HTMLElement => h('span', { class: ok ? 'ok' : 'muted' }, ok ? '✓' : '·')
  const closed = (phase: string): boolean => ROUNDS.findIndex(([p]) => p === s.phase) > ROUNDS.findIndex(([p]) => p === phase) || FINAL.has(s.phase)
  return h(
    'table',
    { id: 'mpc-roster' },
    h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'party'), h('th', {}, 'joined'), h('th', {}, 'shares'), h('th', {}, 'sum-share'), h('th', {}, 'status'))),
    h(
      'tbody',
      {},
      ...s.parties.map((p, i) => {
        const joined = has(s.joined, p)
        const shared = has(s.uploaded, p)
        const summed = has(s.summed, p)
        const dropped = (closed('join') && !joined) || (closed('share') && joined && !shared) || (closed('sum') && shared && !summed)
        const cheater = result ? has(result.cheaters, p) : false
        const status = cheater ? h('span', { class: 'bad' }, 'sum-share rejected') : dropped ? h('span', { class: 'warn' }, `dropped out (${!joined ? 'never joined' : !shared ? 'no shares' : 'no sum-share'})`) : result && has(result.contributors, p) ? h('span', { class: 'ok' }, 'contributed') : h('span', { class: 'muted' }, 'waiting')
        return h('tr', { data: { party: p } }, h('td', {}, `P${i + 1}`), h('td', {}, short(p, 10)), h('td', {}, mark(joined)), h('td', {}, mark(shared)), h('td', {}, mark(summed)), h('td', {}, status))
      }),
    ),
  )
}

function resultBox(s: Summary, r: Result): HTMLElement {
  const shown = r.values.slice(0, 8).map((v) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(3)))
  return h(
    'div',
    { id: 'mpc-result' },
    h('h4', {}, 'Result ', r.verified ? h('span', { class: 'pill state-confirmed', id: 'mpc-verified' }, 'verified') : h('span', { class: 'pill state-failed', id: 'mpc-verified' }, 'unverified')),
    h(
      'p',
      {},
      `Sum of ${r.contributors.length} contributors' vectors (${s.length} values): `,
      h('code', {}, `[${shown.join(', ')}${r.values.length > shown.length ? ', …' : ''}]`),
    ),
    h(
      'p',
      { class: 'muted' },
      r.verified
        ? `Verified: more than t = ${s.threshold} consistent sum-shares cross-checked it; it is right unless more than ${r.liarTolerance} sum-share holder${r.liarTolerance === 1 ? '' : 's'} lied in concert.`
        : `Unverified: only t = ${s.threshold} sum-shares were available, so a single lying holder could have changed it undetected.`,
      r.cheaters.length ? ` Rejected sum-shares from ${r.cheaters.length} part${r.cheaters.length === 1 ? 'y' : 'ies'}.` : '',
    ),
  )
}

/** Render one session (and keep it fresh until it is final). */
export async function renderSession(id: string): Promise<void> {
  openSession = id
  clearTimeout(timer)
  const box = $('mpc-detail')
  if (!whoami()) {
    box.replaceChildren(h('p', { class: 'muted' }, 'sign in to see this session'))
    return
  }
  try {
    const list = await api().request<Summary[]>('GET', '/v1/dashboard/mpc/sessions', { query: { limit: 200 } })
    const s = list.find((x) => x.id === id)
    if (!s) throw Object.assign(new Error(`session ${id} is not one you may read`), { code: 'NOT_FOUND' })
    const result = s.phase === 'done' ? await api().request<Result>('GET', `/v1/mpc/sessions/${id}/result`) : null
    if (openSession !== id) return
    const waitingFor = s.phase === 'join' ? s.parties.length - s.joined.length : s.phase === 'share' ? s.joined.length - s.uploaded.length : s.phase === 'sum' ? Math.max(0, s.uploaded.length - s.summed.length) : 0
    const deadline = s.phase === 'join' || s.phase === 'share' || s.phase === 'sum' ? s.deadlines[s.phase] : null
    fill(
      box,
      h('h3', {}, 'Session ', short(s.id, 12), ' ', h('span', { id: 'mpc-phase' }, pill(s.phase))),
      progress(s),
      deadline && waitingFor > 0 ? h('p', { class: 'muted' }, `waiting for ${waitingFor} more part${waitingFor === 1 ? 'y' : 'ies'} (${relative(deadline)})`) : null,
      s.failure ? h('p', { class: 'bad' }, `${s.failure.code}: ${s.failure.message}`) : null,
      roster(s, result),
      result ? resultBox(s, result) : null,
      h('p', { class: 'muted' }, `creator ${s.creator.slice(0, 10)}… · opened ${time(s.createdAt)} · updated ${time(s.updatedAt)}`),
    )
    if (!FINAL.has(s.phase)) timer = setTimeout(() => openSession === id && location.hash.startsWith('#/mpc') && void Promise.all([renderSession(id), renderSessions()]), 700)
  } catch (e) {
    box.replaceChildren(h('p', { class: 'warn' }, errorText(e)))
  }
}

/** Stop refreshing the open session. */
export function closeSession(): void {
  openSession = null
  clearTimeout(timer)
}
