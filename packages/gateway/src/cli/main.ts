/**
 * @module cli/main
 * The `krain` command line: `serve`, `keys`, `models register|list`, `infer --encrypted`, `prove`,
 * `verify`, `mpc create|join|status`. Errors are printed as `krain: CODE: message` (exit 1).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Hex } from 'viem'
import { KrainHttpError } from '../client/errors.js'
import { GatewayHttp } from '../client/http.js'
import { KrainClient, type ProvenInferenceReceipt } from '../client/krain-client.js'
import { MpcParticipant } from '../client/mpc-participant.js'
import { progress } from './progress.js'

const out = (v: unknown): void => void process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v, null, 2)}\n`)

type Globals = { url: string; key?: string; keyFile?: string }

function keyOf(g: Globals): Hex {
  const raw = g.key ?? (g.keyFile ? readFileSync(g.keyFile, 'utf8').trim() : undefined) ?? (existsSync('.krain/wallet.key') ? readFileSync('.krain/wallet.key', 'utf8').trim() : undefined)
  if (!raw) throw new TypeError('no wallet key: pass --key, --key-file, set KRAIN_KEY, or run `krain keys new`')
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) throw new TypeError('the wallet key must be 0x followed by 64 hex digits')
  return raw as Hex
}

async function taskRows(task: string): Promise<{ model: unknown; x: number[][]; y: number[] }> {
  const models = await import('@krain/models')
  if (task === 'breast_cancer') {
    const t = models.breastCancerTask()
    return { model: t.model, x: t.test.x, y: t.test.y }
  }
  if (task === 'digits') {
    const t = models.digitsTask()
    return { model: t.model, x: t.test.x, y: t.test.y }
  }
  throw new RangeError(`"--task" expected breast_cancer or digits, got ${JSON.stringify(task)}`)
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new TypeError(`cannot read JSON from ${file}: ${(e as Error).message}`)
  }
}

/** Build the CLI program. */
export function program(): Command {
  const p = new Command('krain').description('Krain: encrypted inference, proven inference and MPC sessions').showHelpAfterError()
  p.addOption(new Option('--url <url>', 'gateway URL').env('KRAIN_URL').default('http://127.0.0.1:8787'))
  p.addOption(new Option('--key <hex>', 'wallet private key (stays local: only signatures are sent)').env('KRAIN_KEY'))
  p.addOption(new Option('--key-file <file>', 'file holding the wallet private key (default .krain/wallet.key)'))
  const g = (): Globals => p.opts<Globals>()
  const client = (): KrainClient => new KrainClient({ url: g().url, account: privateKeyToAccount(keyOf(g())) })

  p.command('serve')
    .description('start the gateway (SQLite + embedded anvil unless DATABASE_URL / KRAIN_RPC_URL are set)')
    .option('--port <port>', 'port (KRAIN_PORT)')
    .option('--db <url>', 'SQLite path or postgres:// URL (DATABASE_URL)')
    .option('--no-chain', 'run without a chain (proofs wait in the outbox)')
    .action(async (o: { port?: string; db?: string; chain: boolean }) => {
      const { startGateway } = await import('../server.js')
      const env = { ...process.env, ...(o.port ? { KRAIN_PORT: o.port } : {}), ...(o.db ? { DATABASE_URL: o.db } : {}), ...(o.chain ? {} : { KRAIN_CHAIN: 'none' }) }
      const gw = await startGateway(env)
      const stop = (): void => void gw.stop().then(() => process.exit(0))
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })

  const keys = p.command('keys').description('wallet keys')
  keys
    .command('new')
    .description('create a wallet key (written with mode 0600)')
    .option('--out <file>', 'where to write it', '.krain/wallet.key')
    .option('--force', 'overwrite an existing key file')
    .action(async (o: { out: string; force?: boolean }) => {
      if (existsSync(o.out) && !o.force) throw new TypeError(`${o.out} exists; pass --force to overwrite`)
      const { mkdirSync } = await import('node:fs')
      const { dirname } = await import('node:path')
      mkdirSync(dirname(o.out), { recursive: true })
      const key = generatePrivateKey()
      writeFileSync(o.out, `${key}\n`, { mode: 0o600 })
      chmodSync(o.out, 0o600)
      out({ address: privateKeyToAccount(key).address, file: o.out })
    })
  keys
    .command('show')
    .description('print the address of the configured key')
    .action(() => out({ address: privateKeyToAccount(keyOf(g())).address }))

  const models = p.command('models').description('models')
  models
    .command('register <name>')
    .description('register a model (JSON file of a @krain/models Model, or a built-in task)')
    .option('--file <file>', 'model JSON')
    .option('--task <task>', 'breast_cancer or digits (trained on the real data)')
    .action(async (name: string, o: { file?: string; task?: string }) => {
      const model = o.file ? readJson(o.file) : o.task ? (await taskRows(o.task)).model : undefined
      if (!model) throw new TypeError('pass --file or --task')
      const bar = progress(`register ${name}`)
      bar.step('committing (Poseidon)')
      try {
        const info = await client().registerModel({ name, model: model as never })
        bar.done(`id ${info.id}`)
        out(info)
      } catch (e) {
        bar.fail()
        throw e
      }
    })
  models
    .command('list')
    .description('list models')
    .action(async () => out(await client().models()))

  p.command('infer <modelId>')
    .description('run an inference; with --encrypted the rows are encrypted here and only ciphertexts are sent')
    .option('--encrypted', 'CKKS: keys stay local', false)
    .option('--input <file>', 'JSON array of feature rows')
    .option('--task <task>', 'use held-out rows of breast_cancer or digits')
    .option('--rows <n>', 'how many task rows', '8')
    .action(async (modelId: string, o: { encrypted: boolean; input?: string; task?: string; rows: string }) => {
      if (!o.encrypted) throw new TypeError('only encrypted inference is offered: pass --encrypted')
      const rows = o.input ? (readJson(o.input) as number[][]) : o.task ? (await taskRows(o.task)).x.slice(0, Number(o.rows)) : undefined
      if (!rows) throw new TypeError('pass --input or --task')
      const c = client()
      const bar = progress(`encrypted inference (${rows.length} rows)`)
      try {
        const r = await c.inferEncrypted({ modelId, rows, inputBound: 10, onProgress: (s) => bar.step(s) })
        bar.done()
        out({ scores: r.scores, labels: r.scores.map((s) => (s.length === 1 ? (s[0]! >= 0 ? 1 : 0) : s.indexOf(Math.max(...s)))), errorBound: r.errorBound })
      } catch (e) {
        bar.fail()
        throw e
      } finally {
        c[Symbol.dispose]()
      }
    })

  p.command('prove <modelId>')
    .description('prove an inference and post it to InferenceRegistry; prints the receipt')
    .option('--input <json>', 'feature row as a JSON array')
    .option('--task <task>', 'use a held-out row of breast_cancer or digits')
    .option('--row <i>', 'which task row', '0')
    .option('--no-wait', 'print the job and return')
    .action(async (modelId: string, o: { input?: string; task?: string; row: string; wait: boolean }) => {
      const input = o.input ? (JSON.parse(o.input) as number[]) : o.task ? (await taskRows(o.task)).x[Number(o.row)] : undefined
      if (!input) throw new TypeError('pass --input or --task')
      const c = client()
      const job = await c.prove({ modelId, input })
      if (!o.wait) return out(job)
      const bar = progress(`job ${job.id}`)
      const done = await c.waitForJob(job.id, { onProgress: (s) => s !== 'failed' && s !== 'confirmed' && bar.step(s) })
      if (done.state !== 'confirmed') {
        bar.fail()
        throw new KrainHttpError({ status: 409, code: done.error?.code ?? 'JOB_NOT_CONFIRMED', message: done.error?.message ?? `job is ${done.state}` })
      }
      bar.done('confirmed')
      out(await c.receipt(job.id))
    })

  p.command('verify <receipt>')
    .description('verify a receipt (file, or a job id fetched from the gateway) on-chain and off-chain')
    .requiredOption('--rpc <url>', 'chain JSON-RPC URL', process.env.KRAIN_RPC_URL)
    .action(async (ref: string, o: { rpc: string }) => {
      const receipt = existsSync(ref) ? (readJson(ref) as ProvenInferenceReceipt) : await client().receipt(ref)
      const { verifyReceipt } = await import('../client/verify-receipt.js')
      const bar = progress('verify')
      const r = await verifyReceipt({ receipt, rpcUrl: o.rpc })
      if (r.valid) bar.done('valid')
      else bar.fail()
      out(r)
      if (!r.valid) process.exitCode = 2
    })

  const mpc = p.command('mpc').description('secure aggregation sessions')
  mpc
    .command('create')
    .description('open a session (you become its creator)')
    .requiredOption('--parties <addresses>', 'comma-separated party addresses')
    .requiredOption('--length <n>', 'vector length')
    .requiredOption('--bound <b>', 'per-value bound |v| ≤ b')
    .option('--threshold <t>', 'reconstruction threshold')
    .option('--timeout <minutes>', 'minutes per round', '10')
    .option('--allow-unverified', 'release a sum that no extra sum-share cross-checked (exactly t sum-shares), marked verified: false')
    .action(async (o: { parties: string; length: string; bound: string; threshold?: string; timeout: string; allowUnverified?: boolean }) => {
      const ms = Number(o.timeout) * 60_000
      const http = new GatewayHttp({ url: g().url, account: privateKeyToAccount(keyOf(g())) })
      out(
        await http.request('POST', '/v1/mpc/sessions', {
          body: { parties: o.parties.split(',').map((s) => s.trim()), length: Number(o.length), bound: Number(o.bound), ...(o.threshold ? { threshold: Number(o.threshold) } : {}), ...(o.allowUnverified ? { allowUnverified: true } : {}), timeoutsMs: { join: ms, share: ms, sum: ms } },
        }),
      )
    })
  mpc
    .command('join <sessionId>')
    .description('join and run every round with your vector (shares are encrypted here)')
    .requiredOption('--values <file>', 'JSON array of numbers')
    .option('--state <file>', 'save the party state here (holds secrets: keep it private) to resume after a crash')
    .option('--allow-unverified', 'accept a sum that no extra sum-share cross-checked (printed as UNVERIFIED)')
    .action(async (sessionId: string, o: { values: string; state?: string; allowUnverified?: boolean }) => {
      const state = o.state && existsSync(o.state) ? (readJson(o.state) as never) : undefined
      const party = new MpcParticipant({ url: g().url, privateKey: keyOf(g()), sessionId: sessionId as Hex, state })
      const bar = progress(`mpc ${sessionId.slice(0, 10)}…`)
      const save = (): void => {
        if (o.state) writeFileSync(o.state, JSON.stringify(party.toJSON()), { mode: 0o600 })
      }
      try {
        const r = await party.run(
          readJson(o.values) as number[],
          (s) => {
            save()
            bar.step(s.step)
          },
          { allowUnverified: o.allowUnverified === true },
        )
        bar.done(`${r.contributors.length} contributors, ${r.verified ? 'verified' : 'UNVERIFIED'}`)
        // an unverified sum is said so before the numbers, on stderr too
        if (!r.verified) process.stderr.write(`krain: WARNING: UNVERIFIED aggregate: only ${r.sumShareHolders.length} sum-shares for threshold ${r.sumShareHolders.length - r.liarTolerance}; one lying party could have changed it\n`)
        out({ verification: r.verified ? 'verified' : 'UNVERIFIED', ...r })
      } catch (e) {
        save()
        bar.fail()
        throw e
      }
    })
  mpc
    .command('status <sessionId>')
    .description('session configuration and progress')
    .action(async (sessionId: string) => out(await new GatewayHttp({ url: g().url, account: privateKeyToAccount(keyOf(g())) }).request('GET', `/v1/mpc/sessions/${sessionId}`)))

  return p
}

/** Run the CLI with `argv`; prints readable errors. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv)
  } catch (e) {
    const x = e as { code?: string; shortMessage?: string; details?: string; message?: string }
    if (e instanceof KrainHttpError) process.stderr.write(`krain: ${x.code}: ${x.shortMessage}${x.details ? `\n  ${x.details}` : ''}\n`)
    else if (x?.code === 'ECONNREFUSED' || /fetch failed/.test(x?.message ?? '')) process.stderr.write(`krain: cannot reach the gateway (${(e as { cause?: { code?: string } }).cause?.code ?? x.message}); is it running? (krain serve)\n`)
    else process.stderr.write(`krain: ${x?.shortMessage ?? x?.message ?? String(e)}${x?.details ? `\n  ${x.details}` : ''}\n`)
    process.exitCode = 1
  }
}

await main()
