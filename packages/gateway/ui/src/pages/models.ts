/**
 * Models: shape, commitment, HE plan and circuit status of every registered model (never weights).
 */
import type { CircuitStatus, ModelInfo } from '@krain/client/browser'
import { $, errorText, fill, h, pill, short, time } from '../dom.js'
import { api, client, whoami } from '../session.js'

const shapeOf = (m: ModelInfo): string => (m.layers?.length ? [m.inputs, ...m.layers.map((l) => `${l.outputs}${l.activation && l.activation !== 'none' && l.activation !== 'identity' ? ` ${l.activation}` : ''}`)].join(' → ') : `${m.inputs} → ${m.outputs}`)

function provingCell(m: ModelInfo): HTMLElement {
  const p = m.proving
  if (!p) return h('span', { class: 'muted' }, m.commitment ? 'shipped circuit' : '—')
  if (!p.provable) return h('span', { class: 'warn', title: p.reason ?? '' }, `not provable${p.reason ? `: ${p.reason}` : ''}`)
  return h('span', {}, `${p.circuit ?? ''} ${p.circuitId ?? ''}`.trim(), p.mode ? ` (${p.mode})` : '', p.constraints ? h('span', { class: 'muted' }, ` · ${p.constraints.toLocaleString()} constraints`) : null)
}

function heCell(m: ModelInfo): HTMLElement {
  const he = m.he
  if (!he) return h('button', { class: 'link', data: { plan: m.id }, on: { click: () => void showPlan(m) } }, 'plan…')
  return he.encryptable ? h('span', {}, `N=${he.polyModulusDegree ?? '?'}, depth ${he.depth ?? '?'}`) : h('span', { class: 'warn' }, he.reason ?? 'not encryptable')
}

async function circuitCell(m: ModelInfo, td: HTMLElement): Promise<void> {
  if (m.proving?.circuit !== 'generated') {
    td.replaceChildren(m.proving?.circuit === 'shipped' ? pill('ready', 'confirmed') : h('span', { class: 'muted' }, '—'))
    return
  }
  if (!whoami()) {
    td.replaceChildren(h('span', { class: 'muted' }, 'sign in to see'))
    return
  }
  try {
    const s: CircuitStatus = await client().circuit(m.id)
    fill(td, pill(s.state), s.phase && s.state !== 'confirmed' ? h('span', { class: 'muted' }, ` ${s.phase}`) : null, s.error ? h('span', { class: 'warn' }, ` ${s.error.code}`) : null)
  } catch (e) {
    td.replaceChildren(h('span', { class: 'warn' }, errorText(e)))
  }
}

async function showPlan(m: ModelInfo): Promise<void> {
  const box = $('model-detail')
  box.replaceChildren(h('h3', {}, `HE plan of ${m.name}`), h('p', { class: 'muted' }, 'asking the gateway for a CKKS plan (batch of 1)…'))
  try {
    const plan = await api().request<Record<string, unknown>>('POST', `/v1/models/${encodeURIComponent(m.id)}/he/plan`, { body: { batchSize: 1 } })
    const params = (plan.params ?? {}) as Record<string, unknown>
    const rows: [string, unknown][] = [
      ['layout', plan.layout],
      ['poly modulus degree', params.polyModulusDegree],
      ['coeff modulus bits', Array.isArray(params.coeffModulusBits) ? (params.coeffModulusBits as number[]).join(', ') : params.coeffModulusBits],
      ['scale', params.scaleBits !== undefined ? `2^${String(params.scaleBits)}` : params.scale],
      ['depth (rescales)', plan.depth],
      ['slots', plan.slots],
      ['rotations', Array.isArray(plan.galoisSteps) ? (plan.galoisSteps as unknown[]).length : undefined],
      ['relinearisation keys', plan.relin === undefined ? undefined : plan.relin ? 'yes' : 'no'],
      ['ciphertexts up / down', plan.inputCiphertexts !== undefined ? `${String(plan.inputCiphertexts)} / ${String(plan.outputCiphertexts)}` : undefined],
      ['input bound', plan.inputBound],
    ]
    box.replaceChildren(
      h('h3', {}, `HE plan of ${m.name}`),
      h('dl', {}, ...rows.filter(([, v]) => v !== undefined && v !== null).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'number' ? v.toLocaleString() : String(v))])),
      h('details', {}, h('summary', {}, 'full plan (JSON)'), h('pre', {}, JSON.stringify(plan, null, 2))),
    )
  } catch (e) {
    box.replaceChildren(h('h3', {}, `HE plan of ${m.name}`), h('p', { class: 'warn' }, errorText(e)))
  }
}

/** Render the models page. */
export async function renderModels(): Promise<void> {
  const body = $('models').querySelector('tbody')!
  try {
    const models = await client().models()
    if (models.length === 0) {
      body.replaceChildren(h('tr', {}, h('td', { colspan: '8', class: 'muted' }, 'no models yet: krain models register …')))
      return
    }
    body.replaceChildren(
      ...models.map((m) => {
        const circuit = h('td', { class: 'circuit' }, '…')
        void circuitCell(m, circuit)
        return h(
          'tr',
          { data: { model: m.id } },
          h('td', {}, h('strong', {}, m.name), h('br'), short(m.id, 24)),
          h('td', {}, m.kind),
          h('td', { class: 'shape' }, shapeOf(m), m.parameters ? h('span', { class: 'muted' }, ` · ${m.parameters.toLocaleString()} params`) : null),
          h('td', {}, short(m.commitment, 12)),
          h('td', {}, heCell(m)),
          h('td', {}, provingCell(m)),
          circuit,
          h('td', { class: 'muted' }, time(m.createdAt)),
        )
      }),
    )
  } catch (e) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: '8', class: 'warn' }, errorText(e))))
  }
}
