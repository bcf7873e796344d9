/**
 * @module client/browser
 * `@krain/client/browser`: the parts of the SDK that run in a browser (no Node built-ins; bundled by
 * the gateway's dashboard): the gateway's HTTP client, its error, and a wallet account for signing
 * in with an EIP-1193 browser wallet. `KrainClient`, `MpcParticipant` and `verifyReceipt` need
 * Node (CKKS through node-seal, `node:crypto`, the circuit artifacts on disk) and are not here.
 */
export { GatewayHttp } from './http.js'
export type { GatewayHttpParameters, RequestOptions } from './http.js'
export { KrainHttpError } from './errors.js'
export { eip1193Account } from './eip1193-account.js'
export type { Eip1193AccountParameters, Eip1193Provider } from './eip1193-account.js'
export type { CircuitStatusSchema as CircuitStatus, ModelInfo } from './schemas/models.js'
