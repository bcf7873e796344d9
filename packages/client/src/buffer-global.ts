/**
 * @module client/buffer-global
 * Installs the `buffer` package's `Buffer` as `globalThis.Buffer` where there is none (a browser),
 * for the protocol code of `@krain/mpc` and `@krain/he` that encodes with it. Imported for its effect
 * by the browser entry only (listed in this package's `sideEffects`); in Node it does nothing.
 */
import { Buffer } from 'buffer'

const g = globalThis as { Buffer?: unknown }
g.Buffer ??= Buffer
