/**
 * DOM helpers of the dashboard. Every value shown comes from the gateway and is inserted as text
 * (never as HTML), so a model name or an error message cannot inject markup.
 */
type Attrs = { class?: string; title?: string; data?: Record<string, string>; on?: Record<string, (ev: Event) => void>; [k: string]: unknown }
type Child = Node | string | number | null | undefined | false

/** Create an element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'class') el.className = String(v)
    else if (k === 'data') for (const [dk, dv] of Object.entries(v as Record<string, string>)) el.dataset[dk] = dv
    else if (k === 'on') for (const [ev, fn] of Object.entries(v as Record<string, (ev: Event) => void>)) el.addEventListener(ev, fn)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  append(el, children)
  return el
}

/** Append children (strings as text). */
export function append(el: Element, children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c)
}

/** Replace an element's children (nulls skipped). */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

/** Element by id. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} is missing from the page`)
  return el as T
}

/** A shortened hex string or id, with the whole value as its tooltip. */
export const short = (v: string | null | undefined, n = 10): HTMLElement => (v ? h('code', { title: v }, v.length > n + 4 ? `${v.slice(0, n)}…${v.slice(-4)}` : v) : h('span', { class: 'muted' }, '—'))

/** A local time (and date when not today). */
export function time(ms: number | null | undefined): string {
  if (!ms) return '—'
  const d = new Date(ms)
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString()
}

/** "in 58 s" / "3 min ago". */
export function relative(ms: number): string {
  const s = Math.round((ms - Date.now()) / 1000)
  const abs = Math.abs(s)
  const txt = abs < 120 ? `${abs} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`
  return s >= 0 ? `in ${txt}` : `${txt} ago`
}

/** A status pill. */
export const pill = (text: string, kind = text): HTMLElement => h('span', { class: `pill state-${kind}` }, text)

/** The message of an error from the SDK (`CODE: message`). */
export const errorText = (e: unknown): string => {
  const x = e as { code?: string; shortMessage?: string; message?: string }
  return `${x.code ?? 'ERROR'}: ${x.shortMessage ?? x.message ?? String(e)}`
}
