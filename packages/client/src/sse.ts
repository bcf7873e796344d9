/**
 * @module client/sse
 * A reader of Server-Sent Events (text/event-stream, WHATWG HTML §9.2) from a fetch response body,
 * as an async iterator: lines are split on LF, CR or CRLF; `event`, `data` (several joined by LF)
 * and `id` fields make one event at each blank line; comment lines (`:`) such as heartbeats are
 * skipped. Works in Node and browsers (WHATWG streams and `TextDecoder` only).
 */

/** One event of a stream. */
export type ServerSentEvent = { event: string; data: string; id: string | null }

/**
 * The events of an SSE body, in order; ends when the body ends. Returning from the iteration early
 * cancels the body (the connection is released).
 * @example
 * ```ts
 * for await (const e of readServerSentEvents(res.body!)) console.log(e.event, JSON.parse(e.data))
 * ```
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | null = null
  try {
    for (;;) {
      const { value, done } = await reader.read()
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true })
      for (;;) {
        const m = /\r\n|\r|\n/.exec(buffer)
        // a lone CR at the end of the buffer may be the first half of a CRLF: wait for more
        if (!m || (m[0] === '\r' && m.index === buffer.length - 1 && !done)) break
        const line = buffer.slice(0, m.index)
        buffer = buffer.slice(m.index + m[0].length)
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id }
          event = ''
          data = []
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        let v = colon < 0 ? '' : line.slice(colon + 1)
        if (v.startsWith(' ')) v = v.slice(1)
        if (field === 'event') event = v
        else if (field === 'data') data.push(v)
        else if (field === 'id') id = v
      }
      if (done) return
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}
