/**
 * Federated training: the sessions the caller may read (`GET /v1/federated/sessions`: round k of
 * n, hospitals, dropouts, ε spent), and one session by id (`GET /v1/federated/sessions/:id`): round k of n, the
 * hospitals with their consent and whether they are in this attempt's SecAgg sets (U1: sent masked
 * input shares; U2: unmasked), dropouts, ε spent of the privacy budget, and past rounds.
 */
import { $, errorText, fill, h, pill, short, time } from '../dom.js'
import type { FederatedSessionSummary } from '@krain/client/schemas/federated'
import { api, whoami } from '../session.js'

type Status = {
  id: string
  config: { name: string; creator: string; hospitals: string[]; rounds: number; threshold: number; algorithm: string; dp: { epsilon: number; delta: number } | null; createdAt: number }
  phase: string
  round: number
  attempt: number
  epsilonSpent: number | null
  consents: { consent: { party: string } }[]
  u1: number[] | null
  u2: number[] | null
  history: { round: number; attempt: number; contributors: string[]; epsilon: number | null; refused?: { code: string; message: string } }[]
  modelId: string | null
}

/** Render one federated session. */
export async function renderFederated(id: string): Promise<void> {
  const box = $('fed-detail')
  try {
    const s = await api().request<Status>('GET', `/v1/federated/sessions/${encodeURIComponent(id)}`)
    const c = s.config
    const consented = new Set(s.consents.map((x) => x.consent.party.toLowerCase()))
    const inSet = (set: number[] | null, i: number): boolean => set?.includes(i + 1) ?? false
    const mark = (ok: boolean): HTMLElement => h('span', { class: ok ? 'ok' : 'muted' }, ok ? '✓' : '·')
    fill(
      box,
      h('h3', {}, 'Federated session ', h('strong', {}, c.name), ' ', short(s.id, 10), ' ', pill(s.phase, s.phase === 'done' ? 'confirmed' : s.phase === 'budget-exhausted' ? 'failed' : 'proving')),
      h('ol', { class: 'timeline' }, ...Array.from({ length: c.rounds }, (_, i) => h('li', { class: i < s.round ? 'done' : i === s.round && s.phase !== 'done' ? 'current' : '' }, h('span', { class: 'dot' }), h('span', {}, `round ${i + 1}`), h('small', {}, i === s.round && s.phase !== 'done' ? `${s.phase}, attempt ${s.attempt}` : '')))),
      h(
        'p',
        {},
        `Round ${Math.min(s.round + (s.phase === 'done' ? 0 : 1), c.rounds)} of ${c.rounds} · ${c.algorithm} · threshold ${c.threshold} · `,
        c.dp ? `ε spent ${s.epsilonSpent === null ? '—' : s.epsilonSpent.toFixed(3)} of ${c.dp.epsilon} (δ = ${c.dp.delta})` : 'no differential privacy',
        s.modelId ? ` · registered as model ${s.modelId}` : '',
      ),
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'hospital'), h('th', {}, 'consent'), h('th', {}, 'U1 (masked)'), h('th', {}, 'U2 (unmasked)'), h('th', {}, 'status'))),
        h(
          'tbody',
          {},
          ...c.hospitals.map((a, i) => {
            const dropped = s.u2 !== null && inSet(s.u1, i) && !inSet(s.u2, i)
            return h('tr', {}, h('td', {}, `H${i + 1}`), h('td', {}, short(a, 10)), h('td', {}, mark(consented.has(a.toLowerCase()))), h('td', {}, mark(inSet(s.u1, i))), h('td', {}, mark(inSet(s.u2, i))), h('td', {}, dropped ? h('span', { class: 'warn' }, 'dropped out this attempt') : ''))
          }),
        ),
      ),
      s.history.length
        ? h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'round'), h('th', {}, 'attempt'), h('th', {}, 'contributors'), h('th', {}, 'ε'), h('th', {}, 'outcome'))), h('tbody', {}, ...s.history.map((r) => h('tr', {}, h('td', {}, String(r.round)), h('td', {}, String(r.attempt)), h('td', {}, String(r.contributors.length)), h('td', {}, r.epsilon === null ? '—' : r.epsilon.toFixed(3)), h('td', {}, r.refused ? h('span', { class: 'bad' }, r.refused.code) : h('span', { class: 'ok' }, 'aggregated'))))))
        : null,
      h('p', { class: 'muted' }, `creator ${c.creator.slice(0, 10)}… · opened ${time(c.createdAt)}`),
    )
  } catch (e) {
    fill(box, h('p', { class: 'warn' }, errorText(e)))
  }
}

/** Render the list of federated sessions the caller may read. */
export async function renderFederatedSessions(): Promise<void> {
  const body = $('fed-sessions').querySelector('tbody')!
  if (!whoami()) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '8', class: 'muted' }, 'sign in to see the federated sessions you created or take part in')))
    return
  }
  try {
    const list = await api().request<FederatedSessionSummary[]>('GET', '/v1/federated/sessions')
    body.replaceChildren(
      ...(list.length
        ? list.map((s) =>
            h(
              'tr',
              { data: { fed: s.id }, on: { click: () => void renderFederated(s.id) } },
              h('td', {}, short(s.id, 12)),
              h('td', {}, s.name),
              h('td', {}, pill(s.phase, s.phase === 'done' ? 'confirmed' : s.phase === 'budget-exhausted' ? 'failed' : 'proving')),
              h('td', {}, `${Math.min(s.round + (s.phase === 'done' ? 0 : 1), s.rounds)} of ${s.rounds}`),
              h('td', {}, `${s.consented.length}/${s.hospitals.length} consented · t = ${s.threshold}${s.lastContributors !== null ? ` · ${s.lastContributors} in the last round` : ''}`),
              h('td', {}, s.dropouts.length ? h('span', { class: 'warn' }, `${s.dropouts.length} this attempt`) : h('span', { class: 'muted' }, 'none')),
              h('td', {}, s.dp ? `${s.epsilonSpent === null ? '—' : s.epsilonSpent.toFixed(3)} of ${s.dp.epsilon}` : 'no DP'),
              h('td', { class: 'muted' }, time(s.createdAt)),
            ),
          )
        : [h('tr', {}, h('td', { colspan: '8', class: 'muted' }, 'no federated sessions yet: krain train …'))]),
    )
  } catch (e) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '8', class: 'warn' }, errorText(e))))
  }
}
