/**
 * @module cli/main
 * The `krain` command line: `serve`, `keys new|show|bundles`, `auth token`, `models
 * register|list|circuit`, `infer`, `prove`, `jobs list|show|receipt`, `verify`, `zk ptau
 * prepare|import|list`, `mpc create|join|status|close`. Every error is printed as
 * `krain: CODE: message` (exit 1; a receipt that is not valid exits 2). Heavy modules (the SDK, viem,
 * the cryptography) are imported inside the actions that use them, so `--help` starts fast.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import type { Hex } from 'viem'
import type { GatewayHttp, JobInfo, KrainClient, ProvenInferenceReceipt } from '@krain/client'
import { GatewayError } from '../errors.js'
import type { SessionStatusView } from './mpc-output.js'
import { progress } from './progress.js'
import { registerIdentityCommands } from './commands/identity.js'
import { contextOf, inputError, inputRow, inputRows, keyOf, out, readInput, readJson, usageError } from './context.js'
import { registerAuthCommands } from './commands/auth.js'
import { registerJobsCommands } from './commands/jobs.js'
import { registerPsiCommands } from './commands/psi.js'
import { registerKeysCommands } from './commands/keys.js'
import { registerContractCommands } from './commands/contract.js'
import { registerTrainCommands } from './commands/train.js'
import { registerAuditCommands } from './commands/audit.js'
import { registerWorkerCommands } from './commands/worker.js'
import { registerClusterCommands } from './commands/cluster.js'
import { registerModelsBatchCommands } from './commands/models-batch.js'

async function taskRows(task: string): Promise<{ model: unknown; x: number[][]; y: number[] }> {
  if (task !== 'breast_cancer' && task !== 'digits') throw usageError(`--task: expected breast_cancer or digits, got ${JSON.stringify(task)}`)
  const models = await import('@krain/models')
  const t = task === 'breast_cancer' ? models.breastCancerTask() : models.digitsTask()
  return { model: t.model, x: t.test.x, y: t.test.y }
}

/** The states of a proven-inference job, in the order they happen. */
export const JOB_STATES = ['queued', 'proving', 'proved', 'submitted', 'confirmed'] as const

/**
 * Follow a job, reporting every state it passes through in order (a state passed between two polls
 * is reported too: the order is fixed), until it is confirmed or failed.
 */
async function followJob(http: GatewayHttp, id: string, onState: (state: string) => void): Promise<JobInfo> {
  let seen = -1
  for (;;) {
    const job = await http.request<JobInfo>('GET', `/v1/jobs/${encodeURIComponent(id)}`)
    const i = JOB_STATES.indexOf(job.state as (typeof JOB_STATES)[number])
    for (let k = seen + 1; k <= i; k++) onState(JOB_STATES[k]!)
    if (i > seen) seen = i
    if (job.state === 'failed' || job.state === 'confirmed') return job
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** The chain JSON-RPC to verify against: `--rpc`, `KRAIN_RPC_URL`, the gateway's public RPC, the receipt's hint. */
async function rpcFor(explicit: string | undefined, url: string, receipt: ProvenInferenceReceipt): Promise<{ rpcUrl: string; from: string }> {
  if (explicit) return { rpcUrl: explicit, from: '--rpc' }
  if (process.env.KRAIN_RPC_URL) return { rpcUrl: process.env.KRAIN_RPC_URL, from: 'KRAIN_RPC_URL' }
  const health = await fetch(`${url}/healthz`).then(
    (r) => (r.ok ? (r.json() as Promise<{ chain: { chainId: number; rpcUrl?: string } | null }>) : null),
    () => null,
  )
  if (health?.chain?.rpcUrl) return { rpcUrl: health.chain.rpcUrl, from: `the gateway at ${url} (chain ${health.chain.chainId})` }
  if (receipt.receipt.rpcUrl) return { rpcUrl: receipt.receipt.rpcUrl, from: "the receipt's hint" }
  throw new GatewayError('CLI_NO_RPC', {
    shortMessage: `no chain RPC to verify against: ${health ? `the gateway at ${url} names none` : `the gateway at ${url} is not reachable`} and the receipt has no hint`,
    details: 'pass --rpc <url> (or KRAIN_RPC_URL); a gateway names its chain when started with the embedded anvil or KRAIN_PUBLIC_RPC_URL',
  })
}

/** Build the CLI program. */
export function program(): Command {
  const p = new Command('krain').description('Krain: encrypted inference, proven inference and MPC sessions').showHelpAfterError()
  // commander's own errors (unknown option, missing argument) as `krain: CLI_USAGE: …` like every other error
  p.configureOutput({ outputError: (s, write) => write(`krain: CLI_USAGE: ${s.replace(/^error: /, '')}`) })
  p.addOption(new Option('--url <url>', 'gateway URL').env('KRAIN_URL').default('http://127.0.0.1:8787'))
  p.addOption(new Option('--key <hex>', 'wallet private key (stays local: only signatures are sent)').env('KRAIN_KEY'))
  p.addOption(new Option('--key-file <file>', 'file holding the wallet private key (default .krain/wallet.key)'))
  const ctx = contextOf(p)
  const g = ctx.g

  p.command('serve')
    .description('start the gateway (SQLite + embedded anvil unless DATABASE_URL / KRAIN_RPC_URL are set)')
    .option('--port <port>', 'port (KRAIN_PORT, default 8787; 0 = any free port)')
    .option('--host <address>', 'listen address (KRAIN_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory: SQLite file, coordinator key, lock (KRAIN_DATA_DIR, default ./.krain)')
    .option('--db <url>', 'SQLite path or postgres:// URL (DATABASE_URL, default <data-dir>/krain.db)')
    .option('--no-chain', 'run without a chain (proofs wait in the outbox)')
    .action(async (o: { port?: string; host?: string; dataDir?: string; db?: string; chain: boolean }) => {
      const { startGateway } = await import('../server.js')
      const env = { ...process.env, ...(o.port ? { KRAIN_PORT: o.port } : {}), ...(o.host ? { KRAIN_HOST: o.host } : {}), ...(o.dataDir ? { KRAIN_DATA_DIR: o.dataDir } : {}), ...(o.db ? { DATABASE_URL: o.db } : {}), ...(o.chain ? {} : { KRAIN_CHAIN: 'none' }) }
      const gw = await startGateway(env)
      const stop = (): void => void gw.stop().then(() => process.exit(0))
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })

  registerKeysCommands(p)
  registerAuthCommands(p)

  const models = p.command('models').description('models')
  models
    .command('register <name>')
    .description('register a model: an .onnx file, a JSON file of a @krain/models Model, or a built-in task; prints its layers, parameter count, HE plan and whether (and why not) it can be proven, and follows its circuit build')
    .option('--onnx <file>', 'an .onnx file (PyTorch or skl2onnx export)')
    .option('--file <file>', 'model JSON')
    .option('--task <task>', 'breast_cancer or digits (trained on the real data)')
    .option('--calibration <file>', 'CSV of representative raw feature rows (a header line is skipped): input ranges of the CKKS plan and the quantisation')
    .addOption(new Option('--mode <mode>', 'prove with committed (private) or public weights; asking for a mode refuses a model that cannot be proven').choices(['committed', 'public']))
    .option('--no-follow', 'do not wait for the circuit build')
    .action(async (name: string, o: { onnx?: string; file?: string; task?: string; calibration?: string; mode?: 'committed' | 'public'; follow: boolean }) => {
      const { readCalibrationCsv, describeModel } = await import('./models-output.js')
      const onnx = o.onnx ? new Uint8Array(readFileSync(o.onnx)) : undefined
      const model = onnx ? undefined : o.file ? readJson(o.file, '--file') : o.task ? (await taskRows(o.task)).model : undefined
      if (!onnx && !model) throw usageError('pass --onnx, --file or --task')
      const calibration = o.calibration ? readCalibrationCsv(readFileSync(o.calibration, 'utf8')) : undefined
      const c = await ctx.client()
      const bar = progress(`register ${name}`)
      bar.step(onnx ? 'importing ONNX, planning, checking provability' : 'planning, checking provability')
      let info: Awaited<ReturnType<KrainClient['registerModel']>>
      try {
        info = await c.registerModel({ name, ...(onnx ? { onnx } : { model: model as never }), ...(calibration ? { calibration } : {}), ...(o.mode ? { mode: o.mode } : {}) })
        bar.done(`id ${info.id}`)
      } catch (e) {
        bar.fail()
        throw e
      }
      process.stderr.write(describeModel(info))
      if (o.follow && info.proving?.circuit === 'generated') {
        const build = progress(`circuit ${info.proving.circuitId}`)
        const s = await c.waitForCircuit(info.id, { onProgress: (st) => build.step(`${st.state}${st.phase ? ` · ${st.phase}` : ''}${st.message ? `: ${st.message}` : ''}`) })
        if (s.state === 'failed') {
          build.fail()
          throw new GatewayError(s.error?.code ?? 'ZK_CIRCUIT_BUILD_FAILED', { shortMessage: s.error?.message ?? 'the circuit build failed' })
        }
        build.done(`${s.state}: ${s.constraints} constraints${s.seconds ? `, compile ${s.seconds.compile} s, setup ${s.seconds.setup} s` : ''}${s.verifier ? `, verifier ${s.verifier}` : ''}`)
        out({ ...info, circuit: { ...s, vkey: undefined } })
        return
      }
      out(info)
    })
  models
    .command('circuit <modelId>')
    .description("a model's circuit build: progress, constraints, verifier; --vkey writes its verification key")
    .option('--vkey <file>', 'write the verification key (JSON) here')
    .action(async (modelId: string, o: { vkey?: string }) => {
      const s = await (await ctx.client()).circuit(modelId)
      if (o.vkey && s.vkey) writeFileSync(o.vkey, `${JSON.stringify(s.vkey, null, 2)}\n`)
      out({ ...s, vkey: s.vkey ? (o.vkey ?? 'present (pass --vkey FILE to write it)') : null })
    })
  models
    .command('list')
    .description('list models')
    .action(async () => out(await (await ctx.http()).request('GET', '/v1/models')))

  p.command('infer <modelId>')
    .description('encrypted inference (CKKS, the only kind offered): rows are encrypted here, the gateway computes on ciphertexts, results are decrypted here; the secret key never leaves')
    .option('--encrypted', 'encrypted inference (the default and only mode; accepted for clarity)')
    .option('--input <json|file>', 'feature rows: inline JSON (\'[[1,2],[3,4]]\' or one row \'[1,2]\') or a JSON file of the same')
    .option('--task <task>', 'use held-out rows of breast_cancer or digits')
    .option('--rows <n>', 'how many task rows', '8')
    .action(async (modelId: string, o: { input?: string; task?: string; rows: string }) => {
      const rows = o.input ? inputRows(readInput(o.input)) : o.task ? (await taskRows(o.task)).x.slice(0, Number(o.rows)) : undefined
      if (!rows) throw usageError('pass --input or --task')
      const c = await ctx.client()
      const bar = progress(`encrypted inference (${rows.length} rows)`)
      try {
        // the rows' width is checked against the model's plan before any key is made or uploaded
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
    .description('prove an inference and post it to InferenceRegistry; shows each job state (queued → proving → proved → submitted → confirmed), prints the receipt')
    .option('--input <json|file>', 'the feature row: inline JSON (\'[1.5, 2, …]\') or a JSON file of it')
    .option('--task <task>', 'use a held-out row of breast_cancer or digits')
    .option('--row <i>', 'which task row', '0')
    .option('--no-wait', 'print the job and return')
    .action(async (modelId: string, o: { input?: string; task?: string; row: string; wait: boolean }) => {
      const input = o.input ? inputRow(readInput(o.input)) : o.task ? (await taskRows(o.task)).x[Number(o.row)] : undefined
      if (!input) throw o.task ? inputError(`--row ${o.row}: no such held-out row`) : usageError('pass --input or --task')
      const http = await ctx.http() // the light HTTP client: proving happens on the gateway
      const job = await http.request<JobInfo>('POST', `/v1/models/${encodeURIComponent(modelId)}/prove`, { body: { input } })
      if (!o.wait) return out(job)
      const bar = progress(`job ${job.id}`)
      const done = await followJob(http, job.id, (s) => (s === 'confirmed' ? undefined : bar.step(s)))
      if (done.state !== 'confirmed') {
        bar.fail()
        throw new GatewayError(done.error?.code ?? 'JOB_NOT_CONFIRMED', { shortMessage: done.error?.message ?? `job ${job.id} is ${done.state}` })
      }
      bar.done(`confirmed in block ${done.result?.receipt?.blockNumber ?? '?'} (tx ${done.txHash})`)
      out(await http.request<ProvenInferenceReceipt>('GET', `/v1/jobs/${encodeURIComponent(job.id)}/receipt`))
    })

  registerModelsBatchCommands(p) // models prove-batch (after `models`)
  registerJobsCommands(p)
  registerPsiCommands(p) // private set intersection
  registerContractCommands(p) // secret contracts
  registerTrainCommands(p) // federated training
  registerAuditCommands(p) // audit log export / offline verification
  registerWorkerCommands(p) // cluster worker: pg-boss queues (prove, chain)
  registerClusterCommands(p) // local cluster: krain cluster up

  p.command('verify <receipt>')
    .description("verify a receipt (a file, or a job id fetched from the gateway) off-chain and on-chain; without --rpc, the gateway's chain; a receipt that is not valid says why (exit 2)")
    .option('--rpc <url>', "chain JSON-RPC URL (default: KRAIN_RPC_URL, else the chain the gateway names in /healthz, else the receipt's hint)")
    .option('--vkey <file>', 'verification key of a generated circuit (krain models circuit ID --vkey FILE)')
    .action(async (ref: string, o: { rpc?: string; vkey?: string }) => {
      const receipt = existsSync(ref) ? (readJson(ref, 'receipt') as ProvenInferenceReceipt) : await (await ctx.http()).request<ProvenInferenceReceipt>('GET', `/v1/jobs/${encodeURIComponent(ref)}/receipt`)
      if (!receipt?.receipt || !Array.isArray(receipt.publicSignals)) throw inputError(`${ref} is not a receipt (krain jobs receipt ID --out FILE writes one)`)
      const { rpcUrl, from } = await rpcFor(o.rpc, g().url, receipt)
      const { verifyReceipt } = await import('@krain/client')
      const bar = progress(`verify on ${new URL(rpcUrl).origin} (from ${from})`)
      const r = await verifyReceipt({ receipt, rpcUrl, ...(o.vkey ? { verificationKey: readJson(o.vkey, '--vkey') as Record<string, unknown> } : {}) })
      if (r.valid) bar.done('valid')
      else {
        bar.fail()
        for (const reason of r.reasons) process.stderr.write(`krain: not valid: ${reason}\n`)
      }
      out(r)
      if (!r.valid) process.exitCode = 2
    })

  const zk = p.command('zk').description('proving setup')
  const ptau = zk.command('ptau').description('powers of tau (universal setup) for generated circuits')
  ptau
    .command('prepare')
    .description('make a DEV ONLY prepared powers of tau of 2^N (resumable; long: about an hour for 2^16 on two cores)')
    .requiredOption('--power <n>', 'log2 of the largest circuit (10..20)')
    .option('--out <file>', 'output file (default ~/.cache/krain/ptau/pot<N>_final.ptau)')
    .action(async (o: { power: string; out?: string }) => {
      const { preparePtau, maxConstraints } = await import('@krain/zk')
      const bar = progress(`ptau 2^${o.power}`)
      try {
        const r = await preparePtau({ power: Number(o.power), ...(o.out ? { out: o.out } : {}), onProgress: (s) => bar.step(`${s.step}: ${s.message}`.slice(0, 120)) })
        bar.done(r.path)
        out({ ...r, maxConstraints: maxConstraints(r.power), devOnly: true })
      } catch (e) {
        bar.fail()
        throw e
      } finally {
        const gl = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }
        await gl.curve_bn128?.terminate()
      }
    })
  ptau
    .command('import <path>')
    .description('import a powers-of-tau file, checked against the pinned sha256 table')
    .option('--dir <dir>', 'destination (default ~/.cache/krain/ptau or KRAIN_PTAU_DIR)')
    .action(async (path: string, o: { dir?: string }) => {
      const { importPtau, maxConstraints } = await import('@krain/zk')
      const r = await importPtau(path, ...(o.dir ? [o.dir] : []))
      out({ ...r, maxConstraints: maxConstraints(r.power) })
    })
  ptau
    .command('list')
    .description('the pinned powers of tau present on this machine, with the constraints each allows')
    .action(async () => {
      const { availablePtau, maxConstraints } = await import('@krain/zk')
      out((await availablePtau()).map((a) => ({ power: a.power, path: a.path, sha256: a.sha256, devOnly: a.devOnly, maxConstraints: maxConstraints(a.power) })))
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
      const http = await ctx.http()
      out(
        await http.request('POST', '/v1/mpc/sessions', {
          body: { parties: o.parties.split(',').map((s) => s.trim()), length: Number(o.length), bound: Number(o.bound), ...(o.threshold ? { threshold: Number(o.threshold) } : {}), ...(o.allowUnverified ? { allowUnverified: true } : {}), timeoutsMs: { join: ms, share: ms, sum: ms } },
        }),
      )
    })
  mpc
    .command('join <sessionId>')
    .description('join and run every round with your vector (shares are encrypted here)')
    .requiredOption('--values <json|file>', "your vector: inline JSON ('[1, 2.5, -3]') or a JSON file of it")
    .option('--state <file>', 'save the party state here (holds secrets: keep it private) to resume after a crash')
    .option('--allow-unverified', 'accept a sum that no extra sum-share cross-checked (printed as UNVERIFIED)')
    .action(async (sessionId: string, o: { values: string; state?: string; allowUnverified?: boolean }) => {
      const values = inputRow(readInput(o.values, '--values'), '--values')
      const state = o.state && existsSync(o.state) ? (readJson(o.state, '--state') as never) : undefined
      const { MpcParticipant } = await import('@krain/client')
      const party = new MpcParticipant({ url: g().url, privateKey: keyOf(g()), sessionId: sessionId as Hex, state })
      const me = await ctx.address()
      // the party's label: parallel `mpc join`s in one terminal are told apart by address
      const bar = progress(`mpc ${sessionId.slice(0, 10)}… party ${me.slice(0, 8)}…`)
      const save = (): void => {
        if (o.state) writeFileSync(o.state, JSON.stringify(party.toJSON()), { mode: 0o600 })
      }
      const { describeWait, explainAggregate } = await import('./mpc-output.js')
      const http = await ctx.http()
      let step = 'joining'
      let threshold: number | undefined
      let lastWait = ''
      // while a round is open, say whom it waits for and how long is left (a dropout is not silence)
      const poll = setInterval(() => {
        http.request<SessionStatusView>('GET', `/v1/mpc/sessions/${sessionId}`).then(
          (st) => {
            threshold = st.config.threshold
            const w = describeWait(st)
            if (w && w !== lastWait) bar.step(`${step}; ${(lastWait = w)}`)
          },
          () => undefined,
        )
      }, 2_000)
      try {
        const r = await party.run(
          values,
          (s) => {
            save()
            step = s.step
            bar.step(s.step)
          },
          { allowUnverified: o.allowUnverified === true },
        )
        bar.done(`${r.contributors.length} contributors, ${r.verified ? 'verified' : 'UNVERIFIED'}`)
        // an unverified sum is said so before the numbers, on stderr too
        if (!r.verified) process.stderr.write(`krain: WARNING: UNVERIFIED aggregate: only ${r.sumShareHolders.length} sum-shares for threshold ${r.sumShareHolders.length - r.liarTolerance}; one lying party could have changed it\n`)
        out(explainAggregate(r, threshold))
      } catch (e) {
        save()
        bar.fail()
        throw e
      } finally {
        clearInterval(poll)
      }
    })
  mpc
    .command('status <sessionId>')
    .description('session configuration and progress (deadlines as local times, whom the round waits for)')
    .action(async (sessionId: string) => {
      const { withLocalTimes } = await import('./mpc-output.js')
      out(withLocalTimes(await (await ctx.http()).request<SessionStatusView>('GET', `/v1/mpc/sessions/${sessionId}`)))
    })
  mpc
    .command('close <sessionId>')
    .description('close the current round now (creator or admin): the session goes on with the parties that made it, or fails if too few did')
    .action(async (sessionId: string) => {
      const http = await ctx.http()
      const r = await http.request<{ phase: string }>('POST', `/v1/mpc/sessions/${sessionId}/close`)
      const { withLocalTimes } = await import('./mpc-output.js')
      out({ closed: true, ...r, session: withLocalTimes(await http.request<SessionStatusView>('GET', `/v1/mpc/sessions/${sessionId}`)) })
    })

  registerIdentityCommands(p) // id, group, policy
  return p
}

/** `CODE: message` (and details) of any error a command can end with. */
export function describeError(e: unknown, url?: string): string {
  const x = e as { code?: unknown; shortMessage?: string; details?: string; message?: string; cause?: { code?: string; message?: string } }
  const details = x?.details ? `\n  ${x.details}` : ''
  if (typeof x?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(x.code)) return `${x.code}: ${x.shortMessage ?? x.message}${details}`
  const net = x?.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : /fetch failed/.test(x?.message ?? '') ? (x.cause?.code ?? x.cause?.message ?? 'fetch failed') : null
  if (net) return `GATEWAY_UNREACHABLE: cannot reach the gateway${url ? ` at ${url}` : ''} (${net}); is it running? (npm start, or npx krain serve; --url / KRAIN_URL choose another)`
  if (x?.shortMessage) return `CHAIN_ERROR: ${x.shortMessage}${details}` // viem's errors
  if (typeof x?.code === 'string' && x.code.startsWith('E')) return `SYSTEM_ERROR: ${x.message} (${x.code})`
  return `CLI_ERROR: ${x?.message ?? String(e)}`
}

/** Run the CLI with `argv`; prints `krain: CODE: message` on failure (exit 1). */
export async function main(argv: string[] = process.argv): Promise<void> {
  const p = program()
  try {
    await p.parseAsync(argv)
  } catch (e) {
    process.stderr.write(`krain: ${describeError(e, p.opts<{ url?: string }>().url)}\n`)
    process.exitCode = 1
  }
}

await main()
