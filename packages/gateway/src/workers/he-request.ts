/**
 * @module workers/he-request
 * Parse and validate an encrypted-inference request body in a worker. The body is megabytes of
 * base64 ciphertexts: `JSON.parse`, the schema's base64 pattern and the base64 decoding would
 * otherwise hold the event loop for tens of milliseconds per request, and light routes would
 * wait behind them. Here they run off the event loop, and the ciphertexts go back as bytes.
 */
import { Compile } from 'typebox/compile'
import { GatewayError } from '../errors.js'
import { EncryptedInferenceBody } from '@krain/client/schemas/models'
import type { WorkerTask } from './types.js'

const compileBody = () => Compile(EncryptedInferenceBody)
let validator: ReturnType<typeof compileBody> | undefined

/** The parsed request: key id, plan parameters, and the ciphertexts decoded to bytes. */
export type ParsedInferenceBody = { keyId: string; plan: EncryptedInferenceBody['plan']; ciphertexts: Uint8Array[] }

/** Parse the raw JSON body of `POST /v1/models/:id/infer/encrypted` and check it against its schema. */
export function parseInferenceBody({ body }: Extract<WorkerTask, { kind: 'he-parse-infer-body' }>): ParsedInferenceBody {
  if (body.byteLength === 0) throw new GatewayError('FST_ERR_CTP_EMPTY_JSON_BODY', { shortMessage: "Body cannot be empty when content-type is set to 'application/json'" })
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
  } catch {
    throw new GatewayError('FST_ERR_CTP_INVALID_JSON', { shortMessage: "Body is not valid JSON but content-type is set to 'application/json'" })
  }
  const v = (validator ??= compileBody())
  if (!v.Check(value)) {
    const errors = [...v.Errors(value)].slice(0, 3)
    throw new GatewayError('VALIDATION_FAILED', { shortMessage: `invalid body: ${errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}` })
  }
  const ciphertexts = value.ciphertexts.map((s) => new Uint8Array(Buffer.from(s, 'base64')))
  return { keyId: value.keyId, plan: value.plan, ciphertexts }
}
