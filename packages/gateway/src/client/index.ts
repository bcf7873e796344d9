/**
 * @module client
 * `@krain/gateway/client` is kept for code written against the first release: the SDK now lives in
 * its own package, `@krain/client`, which carries no server dependency.
 */
export * from '@krain/client'
