/**
 * @module cli/main
 * The `krain` command line: `serve`, `keys`, `models register|list|circuit`, `infer --encrypted`, `prove`,
 * `verify`, `zk ptau prepare|import|list`, `mpc create|join|status`. Errors are printed as `krain: CODE: message` (exit 1).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Hex } from 'viem'
import { KrainHttpError, GatewayHttp, KrainClient, type ProvenInferenceReceipt, MpcParticipant } from '@krain/client'
import type { SessionStatusView } from './mpc-output.js'
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
    .description('register a model: an .onnx file, a JSON file of a @krain/models Model, or a built-in task; prints its layers, parameter count, HE plan and provability, and follows its circuit build')
    .option('--onnx <file>', 'an .onnx file (PyTorch or skl2onnx export)')
    .option('--file <file>', 'model JSON')
    .option('--task <task>', 'breast_cancer or digits (trained on the real data)')
    .option('--calibration <file>', 'CSV of representative raw feature rows (a header line is skipped): input ranges of the CKKS plan and the quantisation')
    .addOption(new Option('--mode <mode>', 'prove with committed (private) or public weights; asking for a mode refuses a model that cannot be proven').choices(['committed', 'public']))
    .option('--no-follow', 'do not wait for the circuit build')
    .action(async (name: string, o: { onnx?: string; file?: string; task?: string; calibration?: string; mode?: 'committed' | 'public'; follow: boolean }) => {
      const { readCalibrationCsv, describeModel } = await import('./models-output.js')
      const onnx = o.onnx ? new Uint8Array(readFileSync(o.onnx)) : undefined
      const model = onnx ? undefined : o.file ? readJson(o.file) : o.task ? (await taskRows(o.task)).model : undefined
      if (!onnx && !model) throw new TypeError('pass --onnx, --file or --task')
      const calibration = o.calibration ? readCalibrationCsv(readFileSync(o.calibration, 'utf8')) : undefined
      const c = client()
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
          throw new KrainHttpError({ status: 409, code: s.error?.code ?? 'ZK_CIRCUIT_BUILD_FAILED', message: s.error?.message ?? 'the circuit build failed' })
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
      const s = await client().circuit(modelId)
      if (o.vkey && s.vkey) writeFileSync(o.vkey, `${JSON.stringify(s.vkey, null, 2)}\n`)
      out({ ...s, vkey: s.vkey ? (o.vkey ?? 'present (pass --vkey FILE to write it)') : null })
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
    .option('--vkey <file>', "verification key of a generated circuit (krain models circuit ID --vkey FILE)")
    .action(async (ref: string, o: { rpc: string; vkey?: string }) => {
      const receipt = existsSync(ref) ? (readJson(ref) as ProvenInferenceReceipt) : await client().receipt(ref)
      const { verifyReceipt } = await import('@krain/client')
      const bar = progress('verify')
      const r = await verifyReceipt({ receipt, rpcUrl: o.rpc, ...(o.vkey ? { verificationKey: readJson(o.vkey) as Record<string, unknown> } : {}) })
      if (r.valid) bar.done('valid')
      else bar.fail()
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
        const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }
        await g.curve_bn128?.terminate()
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
      const me = privateKeyToAccount(keyOf(g())).address
      // the party's label: parallel `mpc join`s in one terminal are told apart by address
      const bar = progress(`mpc ${sessionId.slice(0, 10)}… party ${me.slice(0, 8)}…`)
      const save = (): void => {
        if (o.state) writeFileSync(o.state, JSON.stringify(party.toJSON()), { mode: 0o600 })
      }
      const { describeWait, explainAggregate } = await import('./mpc-output.js')
      const http = new GatewayHttp({ url: g().url, account: privateKeyToAccount(keyOf(g())) })
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
          readJson(o.values) as number[],
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
    .description('session configuration and progress')
    .action(async (sessionId: string) => {
      const { withLocalTimes } = await import('./mpc-output.js')
      out(withLocalTimes(await new GatewayHttp({ url: g().url, account: privateKeyToAccount(keyOf(g())) }).request<SessionStatusView>('GET', `/v1/mpc/sessions/${sessionId}`)))
    })

  return p
}

/** Run the CLI with `argv`; prints readable errors. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv)
  } catch (e) {
    const x = e as { code?: string; shortMessage?: string; details?: string; message?: string }
    if (e instanceof KrainHttpError) process.stderr.write(`krain: ${x.code}: ${x.shortMessage}${x.details ? `\n  ${x.details}` : ''}\n`)
    else if (typeof x?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(x.code) && x.shortMessage) process.stderr.write(`krain: ${x.code}: ${x.shortMessage}${x.details ? `\n  ${x.details}` : ''}\n`)
    else if (x?.code === 'ECONNREFUSED' || /fetch failed/.test(x?.message ?? '')) process.stderr.write(`krain: cannot reach the gateway (${(e as { cause?: { code?: string } }).cause?.code ?? x.message}); is it running? (krain serve)\n`)
    else process.stderr.write(`krain: ${x?.shortMessage ?? x?.message ?? String(e)}${x?.details ? `\n  ${x.details}` : ''}\n`)
    process.exitCode = 1
  }
}

await main()
