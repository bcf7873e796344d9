/**
 * @module mpc/log-entry
 * How one event of an MPC session's log is stored (`mpc_messages`). A party message that arrived
 * in its binary wire form (`@krain/mpc` `encodeMessage`, CBOR) is kept as those very bytes in the
 * `payload_bin` column, its JSON `payload` holding only the event's small fields: storing a share
 * upload as a 10 MB base64 JSON text costs several times what storing its 8 MB of bytes does (the
 * text is transcoded and escaped), and the bytes are what the party signed the fields of. Every
 * other event, and a message that came as JSON, is stored as JSON as before. Decoding gives the
 * same event either way: the binary form decodes to the very message that was received.
 */
import { decodeMessage, toJsonForm } from '@krain/mpc'
import { decodeJson, MpcLogEvent, StoreRowError } from '../store/rows.js'
import type { MpcMessageRecord } from '../store/types.js'

/** An event of the log; a `receive` may carry the message's wire bytes (`wire`), stored instead of its JSON. */
export type MpcLogEntry = MpcLogEvent & { wire?: Uint8Array }

/** Marker in the JSON payload of an event whose message is in `payload_bin`. */
const WIRE_CBOR = 'cbor'

/** The `payload` (and `payloadBin`) columns of one log entry. */
export function encodeLogEntry(e: MpcLogEntry): Pick<MpcMessageRecord, 'payload' | 'payloadBin'> {
  if (e.kind === 'receive' && e.wire !== undefined) {
    const { wire, ...rest } = e
    return { payload: JSON.stringify({ ...rest, message: null, wire: WIRE_CBOR }), payloadBin: wire }
  }
  // (a message that came as JSON is logged in its JSON form: payloads as base64)
  if ('wire' in e) {
    const { wire: _, ...rest } = e
    return { payload: JSON.stringify(toJsonForm(rest)) }
  }
  return { payload: JSON.stringify(toJsonForm(e)) }
}

/**
 * The event of one stored log entry.
 * @throws {StoreRowError} when the row does not decode (corrupt JSON, a missing or undecodable binary message)
 */
export function decodeLogEntry(m: MpcMessageRecord): MpcLogEvent {
  const at = { table: 'mpc_messages', id: m.id, column: 'payload' }
  const e = decodeJson(MpcLogEvent, m.payload, at)
  if (e.kind !== 'receive' || (e as { wire?: unknown }).wire === undefined) return e
  if ((e as { wire?: unknown }).wire !== WIRE_CBOR || !(m.payloadBin instanceof Uint8Array)) throw new StoreRowError({ ...at, column: 'payload_bin', reason: 'a binary message is announced but missing or of an unknown form' })
  let message: unknown
  try {
    message = decodeMessage(m.payloadBin)
  } catch (cause) {
    throw new StoreRowError({ ...at, column: 'payload_bin', reason: (cause as Error).message })
  }
  return { kind: 'receive', at: e.at, message, ...(e.phase !== undefined ? { phase: e.phase } : {}) }
}
