/**
 * @module log/log-format
 * How the gateway's log lines look. `json` is pino's one object per line, for log
 * collectors and pipes; `pretty` is for a person at a terminal: one short line per finished request
 * (`12:04:31 POST /v1/models 201 84 ms`), the request's start not at all, other messages as
 * `time LEVEL message key=value`. `auto` (the default) is pretty when stdout is a TTY, JSON otherwise.
 */
import { Writable } from 'node:stream'
import type { FastifyServerOptions } from 'fastify'
import type { Config } from '../config.js'

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }

/** Whether `format` means pretty lines for an output that is (or is not) a TTY. */
export function isPretty(format: Config['logFormat'], isTTY: boolean = process.stdout.isTTY === true): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY)
}

const hhmmss = (t: unknown): string => {
  const d = new Date(typeof t === 'number' ? t : Date.now())
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}

const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime'])

/**
 * One pino JSON line as a short human line, or `null` for lines not shown (a request's start).
 * @param line - a pino JSON line
 */
export function prettyLine(line: string, requests: Map<string, { method?: string; url?: string }> = new Map()): string | null {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.trimEnd()
  }
  const reqId = typeof o.reqId === 'string' || typeof o.reqId === 'number' ? String(o.reqId) : undefined
  if (o.msg === 'incoming request') {
    // not shown: remembered, so the finished request's one line can name its method and URL
    if (reqId && o.req) requests.set(reqId, o.req as { method?: string; url?: string })
    if (requests.size > 10_000) requests.delete(requests.keys().next().value!)
    return null
  }
  const time = hhmmss(o.time)
  const req = (o.req as { method?: string; url?: string } | undefined) ?? (reqId ? requests.get(reqId) : undefined)
  const res = o.res as { statusCode?: number } | undefined
  if (o.msg === 'request completed' && res) {
    if (reqId) requests.delete(reqId)
    const ms = typeof o.responseTime === 'number' ? `${o.responseTime < 10 ? o.responseTime.toFixed(1) : Math.round(o.responseTime)} ms` : ''
    return `${time} ${req?.method ?? ''} ${req?.url ?? ''} ${res.statusCode ?? ''} ${ms}`.replace(/\s+/g, ' ').trim()
  }
  const level = LEVELS[o.level as number] ?? String(o.level)
  const extra = Object.entries(o)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
  const where = req?.method ? ` (${req.method} ${req.url})` : ''
  return `${time} ${level} ${String(o.msg ?? '')}${where}${extra ? ` ${extra}` : ''}`.slice(0, 2000)
}

/** A stream that turns pino JSON lines into {@link prettyLine}s on `out`. */
export function prettyStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let partial = ''
  const requests = new Map<string, { method?: string; url?: string }>()
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const l of lines) {
        const p = l.trim() ? prettyLine(l, requests) : null
        if (p !== null) out.write(`${p}\n`)
      }
      done()
    },
  })
}

/**
 * Fastify's `logger` option for a config: off for `silent`; pino at `logLevel`, through
 * {@link prettyStream} when {@link isPretty}.
 */
export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false
  return isPretty(config.logFormat ?? 'auto') ? { level: config.logLevel, stream: prettyStream() } : { level: config.logLevel }
}
