/**
 * @module client/verify-backend-node
 * What {@link verifyReceipt} checks with, in Node (`#verify-backend` of this package): `@krain/zk`'s
 * verifiers with the pinned verification keys read (and hash-checked) from its artifacts, and
 * `@krain/chain`'s registry reads. `verify-backend-browser.ts` is the browser's twin.
 */
export { batchId, createChainClient, inferenceId, verifyOnChainAndOffChain } from '@krain/chain'
export { verifyInference, verifyNetwork } from '@krain/zk'
