/**
 * @module anvil/start-anvil
 * Start a local anvil node from the `@foundry-rs/anvil` npm package on a free loopback port.
 * The OS picks the port (`--port 0`; anvil prints the bound address), so parallel test files
 * never race for one. The child is unreferenced (it never keeps Node alive) and killed when
 * `stop()` is called or when this process exits, including on SIGINT / SIGTERM.
 *
 * It also dies when this process is killed outright (SIGKILL, OOM killer), where no exit hook
 * runs: on POSIX anvil is started through a small `sh` watchdog that holds the read end of a pipe
 * from this process and kills anvil when the pipe reaches end-of-file — which the kernel brings
 * about when this process dies, however it dies (the portable stand-in for Linux's
 * `PR_SET_PDEATHSIG`).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { aPositiveInt, anIntInRange, anObject } from '@krain/core'
import { mnemonicToAccount } from 'viem/accounts'
import { bytesToHex, type Hex } from 'viem'
import { ChainError } from '../errors.js'

/** Anvil's default, well-known and public test mnemonic. Never use its keys on a real chain. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

/** Parameters of {@link startAnvil}. */
export type StartAnvilParameters = {
  /** Chain id (default 31337). */
  chainId?: number
  /** Port (default 0: a free port chosen by the OS). */
  port?: number
  /** Seconds between blocks; default: mine one block per transaction. */
  blockTime?: number
  /** Number of funded dev accounts (default 10). */
  accounts?: number
  /** Milliseconds to wait for anvil to listen (default 20 000). */
  timeoutMs?: number
  /** Path to the anvil binary (default: the one of `@foundry-rs/anvil` for this platform, or `KRAIN_ANVIL_BIN`). */
  binary?: string
}

/** A running anvil node. */
export type Anvil = {
  /** `http://127.0.0.1:<port>` */
  rpcUrl: string
  port: number
  chainId: number
  /** Private keys of the funded dev accounts (public test keys: anvil's default mnemonic). */
  privateKeys: readonly Hex[]
  /** The child process id. */
  pid: number
  /** Kill the node and wait for it to exit. Idempotent. */
  stop: () => Promise<void>
  [Symbol.asyncDispose]: () => Promise<void>
}

/** A started node: the spawned process (the watchdog on POSIX) and anvil's own pid once known. */
type Live = { child: ChildProcess; anvilPid: () => number | undefined }
const live = new Set<Live>()
let hooksInstalled = false

function kill(l: Live): void {
  const pid = l.anvilPid()
  try {
    if (pid !== undefined) process.kill(pid, 'SIGKILL') // the watchdog then reaps it and exits
    if (pid === undefined || pid === l.child.pid) l.child.kill('SIGKILL')
  } catch {
    // already gone
  }
  l.child.stdin?.destroy() // the watchdog's cue, should anvil's pid not be known yet
}

function killAll(): void {
  for (const l of live) kill(l)
  live.clear()
}

/**
 * The POSIX watchdog: runs anvil (`$0 "$@"`) in the background, prints its pid, and kills it when
 * its own stdin (a pipe from the Node parent) ends — the parent closed it, or died — or exits
 * with anvil's status when anvil ends first.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$0" "$@" </dev/null 3<&- & a=$!',
  'echo "krain-anvil-pid $a"',
  '( while read -r _ <&3; do :; done; kill -9 $a 2>/dev/null ) >/dev/null 2>&1 & w=$!',
  'exec 3<&-',
  'wait $a; s=$?',
  'kill $w 2>/dev/null',
  'exit $s',
].join('\n')

function installExitHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      killAll()
      // keep Node's default behaviour (exit by the signal) unless the application handles it
      if (process.listenerCount(signal) === 1) {
        process.off(signal, handler)
        process.kill(process.pid, signal)
      }
    }
    process.on(signal, handler)
  }
}

/**
 * Path of the anvil binary shipped by `@foundry-rs/anvil` for this platform.
 * @returns an absolute path
 * @throws ChainError `CHAIN_ANVIL_START_FAILED` when the platform package is not installed
 */
export function anvilBinaryPath(): string {
  const fromEnv = process.env.KRAIN_ANVIL_BIN
  if (fromEnv) return fromEnv
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`
  const require = createRequire(import.meta.url)
  try {
    // the wrapper package depends on the platform package; resolve through it first, as its bin.mjs does
    const wrapper = require.resolve('@foundry-rs/anvil/bin.mjs')
    const candidate = createRequire(wrapper).resolve(`${pkg}/bin/${exe}`)
    if (existsSync(candidate)) return candidate
  } catch {
    // fall through
  }
  try {
    const candidate = require.resolve(`${pkg}/bin/${exe}`)
    if (existsSync(candidate)) return candidate
  } catch {
    // fall through
  }
  throw new ChainError('CHAIN_ANVIL_START_FAILED', {
    shortMessage: `anvil binary not found: install @foundry-rs/anvil (platform package ${pkg})`,
    details: 'or set KRAIN_ANVIL_BIN to an anvil executable',
  })
}

/** A child's pipe is a `net.Socket` at run time, which can be unref'd; the stream types do not say so. */
function hasUnref(s: unknown): s is { unref(): void } {
  return typeof s === 'object' && s !== null && 'unref' in s && typeof s.unref === 'function'
}

/**
 * Start anvil on a free loopback port.
 *
 * @param parameters - chain id, block time, number of accounts
 * @returns the running node; call `stop()` (or use `await using`) when done
 * @throws ChainError `CHAIN_ANVIL_START_FAILED` when anvil is missing, exits, or does not listen in time
 * @example
 * ```ts
 * const anvil = await startAnvil()
 * try { console.log(anvil.rpcUrl) } finally { await anvil.stop() }
 * ```
 */
export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<Anvil> {
  anObject(parameters, 'parameters')
  const chainId = aPositiveInt(parameters.chainId ?? 31337, 'chainId')
  const port = anIntInRange(parameters.port ?? 0, 'port', 0, 65535)
  const accounts = anIntInRange(parameters.accounts ?? 10, 'accounts', 1, 100)
  const timeoutMs = aPositiveInt(parameters.timeoutMs ?? 20_000, 'timeoutMs')
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--accounts', String(accounts), '--mnemonic', ANVIL_MNEMONIC]
  if (parameters.blockTime !== undefined) args.push('--block-time', String(aPositiveInt(parameters.blockTime, 'blockTime')))
  const binary = parameters.binary ?? anvilBinaryPath()

  installExitHooks()
  const watchdog = process.platform !== 'win32'
  const child = watchdog ? spawn('/bin/sh', ['-c', WATCHDOG, binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }) : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let anvilPid: number | undefined = watchdog ? undefined : child.pid
  const entry: Live = { child, anvilPid: () => anvilPid }
  live.add(entry)
  let tail = ''
  const keepTail = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4000)
    if (anvilPid === undefined) {
      const m = /krain-anvil-pid (\d+)/.exec(tail)
      if (m) anvilPid = Number(m[1])
    }
  }

  const boundPort = await new Promise<number>((resolve, reject) => {
    const fail = (why: string, cause?: unknown): void => {
      cleanup()
      live.delete(entry)
      kill(entry)
      reject(new ChainError('CHAIN_ANVIL_START_FAILED', { shortMessage: `anvil did not start: ${why}`, details: tail.trim() || undefined, cause }))
    }
    const onData = (chunk: Buffer): void => {
      keepTail(chunk)
      const m = /Listening on [^\s:]+:(\d+)/.exec(tail)
      if (m) {
        cleanup()
        resolve(Number(m[1]))
      }
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited with ${signal ?? `code ${code}`}`)
    const onError = (e: Error): void => fail(e.message, e)
    const timer = setTimeout(() => fail(`not listening after ${timeoutMs} ms`), timeoutMs)
    const cleanup = (): void => {
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      child.off('exit', onExit)
      child.off('error', onError)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', keepTail)
    child.once('exit', onExit)
    child.once('error', onError)
  })

  // keep draining the pipes (a full pipe would block anvil) without keeping Node alive
  child.stdout!.on('data', keepTail)
  for (const stream of [child.stdin, child.stdout, child.stderr]) if (hasUnref(stream)) stream.unref()
  child.unref()

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  const stop = async (): Promise<void> => {
    live.delete(entry)
    if (child.exitCode === null && child.signalCode === null) {
      // hold the event loop open until the exit is observed (the child is unreferenced)
      child.ref()
      kill(entry)
    }
    await exited
  }
  const privateKeys = Array.from({ length: accounts }, (_, i) => bytesToHex(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }).getHdKey().privateKey!))
  return { rpcUrl: `http://127.0.0.1:${boundPort}`, port: boundPort, chainId, privateKeys, pid: anvilPid ?? child.pid!, stop, [Symbol.asyncDispose]: stop }
}
