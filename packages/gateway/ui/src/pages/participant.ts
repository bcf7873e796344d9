/**
 * "Take part from this browser": one hospital's party of the open MPC session, run here by the
 * SDK's `MpcParticipant` (join, encrypted shares, sum-share; X25519/AES-GCM in this page). The
 * party key is read from the form, cleared from it at once, and held only by the running
 * participant; the values never leave the page except as encrypted shares.
 */
import { MpcParticipant, type MpcProgress } from '@krain/client/browser'
import { $, errorText } from '../dom.js'

const STEPS: Record<MpcProgress['step'], string> = { joined: 'joined', roster: 'roster received', shared: 'encrypted shares sent', inbox: 'shares received', summed: 'sum-share sent', result: 'result' }
let running: string | null = null

/** Parse "1, 2, 3" into numbers (null when any is not a finite number). */
function values(text: string): number[] | null {
  const xs = text.split(/[\s,;]+/).filter(Boolean).map(Number)
  return xs.length && xs.every(Number.isFinite) ? xs : null
}

/** Show the form for session `id` (or hide it). */
export function showParticipantForm(id: string | null): void {
  $('party-form').hidden = id === null
  $('party-form').dataset.session = id ?? ''
  if (id === null && running === null) $('party-progress').textContent = ''
}

/** Wire the form (once). */
export function wireParticipant(): void {
  $('party-form').addEventListener('submit', (ev) => {
    ev.preventDefault()
    const keyInput = $<HTMLInputElement>('party-key')
    const privateKey = keyInput.value.trim()
    keyInput.value = '' // the key does not stay in the form
    const sessionId = $('party-form').dataset.session
    const out = $('party-progress')
    const xs = values($<HTMLInputElement>('party-values').value)
    if (!sessionId || running) return
    if (!/^0x[0-9a-fA-F]{64}$/.test(privateKey)) return void (out.textContent = 'the party key must be 0x and 64 hex digits')
    if (!xs) return void (out.textContent = 'the values must be numbers separated by commas')
    running = sessionId
    out.className = 'muted'
    out.textContent = 'joining…'
    const party = new MpcParticipant({ url: location.origin, privateKey: privateKey as `0x${string}`, sessionId: sessionId as `0x${string}`, waitMs: 5_000 })
    party
      .run(xs, (p: MpcProgress) => void (out.textContent = `${STEPS[p.step]}${p.detail ? `: ${p.detail}` : ''}…`))
      .then(
        (r) => {
          out.className = 'ok'
          out.dataset.done = 'true'
          out.textContent = `✓ contributed from this browser; the session's sum: [${r.values.map((v) => v.toFixed(3)).join(', ')}]`
        },
        (e: unknown) => {
          out.className = 'bad'
          out.textContent = errorText(e)
        },
      )
      .finally(() => (running = null))
  })
}
