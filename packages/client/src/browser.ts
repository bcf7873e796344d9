/**
 * @module client/browser
 * `@krain/client/browser`: the SDK in a browser (no Node built-ins), as the gateway's dashboard
 * bundles it: {@link KrainClient} (models, jobs, receipts; encrypted inference loads node-seal's
 * web build on first use), {@link MpcParticipant} (a hospital's party: X25519/AES-GCM from @noble/*
 * through `@krain/mpc`'s `browser` condition, byte-compatible with Node's), {@link verifyReceipt}
 * (Groth16 pairing check in WebAssembly, registry reads over the RPC), the gateway's HTTP client
 * and a wallet account for signing in with an EIP-1193 browser wallet.
 *
 * Bundle with the `browser` condition (esbuild `platform: 'browser'`, Vite and webpack by
 * default). node-seal's `browser` field points at a UMD build that names Node's `url`; alias
 * `node-seal` to `node-seal/throws_wasm_web_es.js` (as the dashboard's build does) or prefer the
 * `module` field. A `Buffer` global is installed from the `buffer` package where there is none.
 */
import './buffer-global.js'

export { KrainClient } from './krain-client.js'
export type { JobInfo, KrainClientParameters, ModelInfo, ProvenInferenceReceipt, CircuitStatus } from './krain-client.js'
export { MpcParticipant } from './mpc-participant.js'
export type { MpcParticipantParameters, MpcProgress } from './mpc-participant.js'
export { verifyReceipt } from './verify-receipt.js'
export type { VerifyReceiptReturnType } from './verify-receipt.js'
export { GatewayHttp } from './http.js'
export type { GatewayHttpParameters, RequestOptions } from './http.js'
export { KrainHttpError } from './errors.js'
export { eip1193Account } from './eip1193-account.js'
export type { Eip1193AccountParameters, Eip1193Provider } from './eip1193-account.js'
