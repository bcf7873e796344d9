/**
 * @module cli/context
 * What every `krain` command shares: the global options, the wallet key, output, reading inputs
 * (a file path or inline JSON, the same for every `--input`), and typed usage errors (`CODE:
 * message`). Only light modules are imported here: the SDK, viem and the cryptography load inside
 * the commands that need them, so `krain --help` and `krain keys show` start fast.
 */
import { existsSync, readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { Hex } from 'viem'
import type { GatewayHttp, KrainClient } from '@krain/client'
import { GatewayError } from '../errors.js'

/** The global options. */
export type Globals = { url: string; key?: string; keyFile?: string }

/** A mistake in how the CLI was called (`CLI_USAGE`), or a bad input (`CLI_INPUT`), printed as `CODE: message`. */
export const usageError = (message: string, details?: string): GatewayError => new GatewayError('CLI_USAGE', { shortMessage: message, ...(details ? { details } : {}) })
/** An input that cannot be read or has the wrong form. */
export const inputError = (message: string, details?: string): GatewayError => new GatewayError('CLI_INPUT', { shortMessage: message, ...(details ? { details } : {}) })

/** Print a value on stdout (strings as they are, everything else as indented JSON). */
export const out = (v: unknown): void => void process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`)

/** The default wallet key file. */
export const DEFAULT_KEY_FILE = '.krain/wallet.key'

/** The wallet private key: `--key`, `KRAIN_KEY`, `--key-file`, else `.krain/wallet.key`. */
export function keyOf(g: Globals): Hex {
  const raw = g.key ?? (g.keyFile ? readText(g.keyFile, '--key-file').trim() : undefined) ?? (existsSync(DEFAULT_KEY_FILE) ? readFileSync(DEFAULT_KEY_FILE, 'utf8').trim() : undefined)
  if (!raw) throw new GatewayError('CLI_NO_KEY', { shortMessage: 'no wallet key', details: 'pass --key, --key-file, set KRAIN_KEY, or run `npx krain keys new`' })
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new GatewayError('CLI_NO_KEY', { shortMessage: 'the wallet key must be 0x followed by 64 hex digits' })
  return raw as Hex
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    throw inputError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

/** JSON from a file. */
export function readJson(file: string, what = 'file'): unknown {
  const text = readText(file, what)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw inputError(`${what} ${file} is not JSON: ${(e as Error).message}`)
  }
}

/**
 * An `--input` value: inline JSON (starts with `[` or `{`) or the path of a JSON file. The same for
 * `infer` and `prove`.
 */
export function readInput(arg: string, option = '--input'): unknown {
  const t = arg.trim()
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t)
    } catch (e) {
      throw inputError(`${option}: inline JSON does not parse: ${(e as Error).message}`)
    }
  }
  if (!existsSync(arg)) throw inputError(`${option}: ${JSON.stringify(arg.slice(0, 80))} is neither a file nor inline JSON`, `pass a JSON file path, or JSON itself: ${option} '[1.5, 2, 3]'`)
  return readJson(arg, option)
}

const isRow = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))

/** Feature rows from an `--input` value: a row (`[1, 2]`) or rows (`[[1, 2], [3, 4]]`). */
export function inputRows(v: unknown, option = '--input'): number[][] {
  if (isRow(v)) return [v]
  if (Array.isArray(v) && v.length > 0 && v.every(isRow)) return v
  throw inputError(`${option}: expected a feature row ([1.5, 2, …]) or rows ([[…], […]]) of finite numbers`)
}

/** One feature row from an `--input` value: a row, or rows holding exactly one. */
export function inputRow(v: unknown, option = '--input'): number[] {
  const rows = inputRows(v, option)
  if (rows.length !== 1) throw inputError(`${option}: expected one feature row, got ${rows.length}`, 'prove one row at a time (krain prove … --input \'[…]\')')
  return rows[0]!
}

/** Lazily made connections for a command (the SDK is imported on first use). */
export type Ctx = { g: () => Globals; client: () => Promise<KrainClient>; http: (opts?: { auth?: boolean }) => Promise<GatewayHttp>; address: () => Promise<`0x${string}`> }

/** The context of program `p`. */
export function contextOf(p: Command): Ctx {
  const g = (): Globals => p.opts<Globals>()
  const account = async () => (await import('viem/accounts')).privateKeyToAccount(keyOf(g()))
  return {
    g,
    client: async () => new (await import('@krain/client')).KrainClient({ url: g().url, account: await account() }),
    http: async (opts = {}) => new (await import('@krain/client/http')).GatewayHttp({ url: g().url, ...(opts.auth === false ? {} : { account: await account() }) }),
    address: async () => (await account()).address,
  }
}
