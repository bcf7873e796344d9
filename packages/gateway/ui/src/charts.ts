/**
 * Two small SVG charts (no library): bars for a histogram's buckets and a line for a series over
 * time. Sizes are in the SVG's own units; the stylesheet makes them fill their card.
 */
const NS = 'http://www.w3.org/2000/svg'
const W = 480
const H = 160
const PAD = { l: 40, r: 8, t: 10, b: 34 }

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(NS, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  if (text !== undefined) el.textContent = text
  return el
}

function frame(label: string): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart' }) as SVGSVGElement
  root.append(svg('line', { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, class: 'axis' }))
  return root
}

function yTicks(root: SVGSVGElement, max: number, fmt: (v: number) => string): void {
  for (const f of [0, 0.5, 1]) {
    const y = H - PAD.b - f * (H - PAD.t - PAD.b)
    root.append(svg('line', { x1: PAD.l, y1: y, x2: W - PAD.r, y2: y, class: 'grid' }), svg('text', { x: PAD.l - 4, y: y + 3, 'text-anchor': 'end', class: 'tick' }, fmt(max * f)))
  }
}

/** Bars: one per bucket (`label`, `value`), e.g. request counts per latency bucket. */
export function barChart(label: string, bars: { label: string; value: number }[], fmt: (v: number) => string = (v) => String(Math.round(v))): SVGSVGElement {
  const root = frame(label)
  const max = Math.max(1, ...bars.map((b) => b.value))
  yTicks(root, max, fmt)
  const slot = (W - PAD.l - PAD.r) / Math.max(bars.length, 1)
  bars.forEach((b, i) => {
    const hgt = (b.value / max) * (H - PAD.t - PAD.b)
    const x = PAD.l + i * slot
    const rect = svg('rect', { x: x + slot * 0.15, y: H - PAD.b - hgt, width: slot * 0.7, height: Math.max(hgt, 0), class: 'bar' })
    rect.append(svg('title', {}, `${b.label}: ${fmt(b.value)}`))
    root.append(rect, svg('text', { x: x + slot / 2, y: H - PAD.b + 12, 'text-anchor': 'middle', class: 'tick' }, b.label))
  })
  root.append(svg('text', { x: W / 2, y: H - 4, 'text-anchor': 'middle', class: 'caption' }, label))
  return root
}

/** A line over time: points `(t ms, value)`; gaps (null) break the line. */
export function lineChart(label: string, points: { t: number; v: number | null }[], fmt: (v: number) => string = (v) => v.toFixed(1)): SVGSVGElement {
  const root = frame(label)
  const vals = points.map((p) => p.v).filter((v): v is number => v !== null)
  const max = Math.max(1e-9, ...vals) * 1.1
  yTicks(root, max, fmt)
  if (points.length > 1) {
    const t0 = points[0]!.t
    const span = Math.max(points.at(-1)!.t - t0, 1)
    let d = ''
    let pen = false
    for (const p of points) {
      if (p.v === null) {
        pen = false
        continue
      }
      const x = PAD.l + ((p.t - t0) / span) * (W - PAD.l - PAD.r)
      const y = H - PAD.b - (p.v / max) * (H - PAD.t - PAD.b)
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`
      pen = true
    }
    root.append(svg('path', { d, class: 'line' }))
    root.append(svg('text', { x: PAD.l, y: H - PAD.b + 12, class: 'tick' }, new Date(t0).toLocaleTimeString()), svg('text', { x: W - PAD.r, y: H - PAD.b + 12, 'text-anchor': 'end', class: 'tick' }, new Date(points.at(-1)!.t).toLocaleTimeString()))
  } else root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'tick' }, 'collecting…'))
  root.append(svg('text', { x: W / 2, y: H - 4, 'text-anchor': 'middle', class: 'caption' }, label))
  return root
}
