/**
 * @module cli/commands/train
 * `krain train create|join|status|register`: federated training among hospitals through the
 * gateway. `create` opens a session (initial model, hospitals by address, rounds,
 * threshold t, FedAvg|FedProx, clip bound, optional DP ε/δ, the consent terms); `join` signs this
 * hospital's consent and trains on its own CSV rows (features…, label last) with progress on
 * stderr (round k of n, hospitals present, ε spent); the rows never leave the machine, only
 * masked updates do. `register` registers the trained model as a gateway model.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { contextOf, inputError, keyOf, out, readJson, usageError } from '../context.js'
import { progress } from '../progress.js'

/** Read `features…,label` CSV rows (a header line of non-numbers is skipped). */
function readRows(file: string): { x: number[][]; y: number[] } {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw inputError(`cannot read ${file}`, (e as Error).message)
  }
  const x: number[][] = []
  const y: number[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return
    const v = line.split(',').map((c) => Number(c.trim()))
    if (v.some((n) => !Number.isFinite(n))) {
      if (i === 0) return
      throw inputError(`${file}:${i + 1}: expected numbers separated by commas (features…, label)`)
    }
    if (v.length < 2) throw inputError(`${file}:${i + 1}: expected at least one feature and a label`)
    x.push(v.slice(0, -1))
    y.push(v.at(-1)!)
  })
  if (x.length === 0) throw inputError(`${file}: no rows`)
  return { x, y }
}

const num = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n)) throw usageError(`${name} must be a number`)
  return n
}

/** Part `k` of `n` of the breast_cancer training rows (standardised), split label-skewed: part 1 mostly benign, part n mostly malignant. */
async function taskPart(task: string, part: string): Promise<{ x: number[][]; y: number[] }> {
  if (task !== 'breast_cancer') throw usageError('--task must be breast_cancer')
  const m = /^(\d+)\/(\d+)$/.exec(part)
  const k = Number(m?.[1])
  const n = Number(m?.[2])
  if (!m || !(n >= 2 && k >= 1 && k <= n)) throw usageError('--part must be k/n with 1 ≤ k ≤ n, n ≥ 2')
  const { breastCancerTask } = await import('@krain/models')
  const t = breastCancerTask()
  // sorted by label: two rows in three go to contiguous blocks (part 1 mostly one label, part n the other), one in three round-robin
  const order = t.train.x.map((_, i) => i).sort((a, b) => t.train.y[a]! - t.train.y[b]! || a - b)
  const pick = order.filter((_, j) => (j % 3 === 0 ? j % n : Math.floor((j * n) / order.length)) === k - 1)
  return { x: pick.map((i) => t.train.x[i]!), y: pick.map((i) => t.train.y[i]!) }
}

/** Register `train`. */
export function registerTrainCommands(p: Command): void {
  const ctx = contextOf(p)
  const train = p.command('train').description('federated training with other hospitals (the gateway sees masked updates only)')
  train
    .command('create')
    .description('open a federated training session')
    .option('--model <file>', 'initial model JSON (any @krain/models model: logistic, mlp, network)')
    .option('--task <task>', 'instead of --model: a zero logistic model for this task (breast_cancer)')
    .requiredOption('--hospitals <addresses>', 'comma-separated hospital addresses')
    .requiredOption('--rounds <n>', 'number of rounds')
    .requiredOption('--threshold <t>', 'a round completes with ≥ t hospitals')
    .requiredOption('--purpose <text>', 'consent: what the data is used for')
    .option('--name <name>', 'session name', 'federated')
    .option('--computation <text>', 'consent: the computation', 'federated training over secure aggregation')
    .option('--expires <minutes>', 'consent expiry from now, in minutes', '1440')
    .option('--algorithm <a>', 'fedavg | fedprox', 'fedavg')
    .option('--mu <mu>', 'FedProx proximal weight')
    .option('--clip <c>', 'L2 bound of one hospital update', '10')
    .option('--epochs <n>', 'local epochs per round', '1')
    .option('--learning-rate <lr>', 'local SGD learning rate', '0.1')
    .option('--epsilon <e>', 'differential privacy: ε budget of the run')
    .option('--delta <d>', 'differential privacy: δ', '1e-5')
    .option('--noise <z>', 'differential privacy: noise multiplier (default: calibrated for --rounds within ε)')
    .action(async (o: Record<string, string | undefined>) => {
      if (o.algorithm !== 'fedavg' && o.algorithm !== 'fedprox') throw usageError('--algorithm must be fedavg or fedprox')
      const rounds = num(o.rounds, '--rounds')!
      let dp: { epsilon: number; delta: number; noiseMultiplier: number } | undefined
      if (o.epsilon !== undefined) {
        const { calibrateNoiseMultiplier } = await import('@krain/federated')
        const epsilon = num(o.epsilon, '--epsilon')!
        const delta = num(o.delta, '--delta')!
        dp = { epsilon, delta, noiseMultiplier: num(o.noise, '--noise') ?? calibrateNoiseMultiplier({ epsilon, delta, rounds }) }
      }
      if ((o.model === undefined) === (o.task === undefined)) throw usageError('give exactly one of --model and --task')
      if (o.task !== undefined && o.task !== 'breast_cancer') throw usageError('--task must be breast_cancer')
      const http = await ctx.http()
      const body = {
        name: o.name,
        model: o.model !== undefined ? readJson(o.model, '--model') : { kind: 'logistic', weights: new Array<number>(30).fill(0), bias: 0 },
        hospitals: o.hospitals!.split(',').map((s) => s.trim()),
        rounds,
        threshold: num(o.threshold, '--threshold'),
        algorithm: o.algorithm,
        ...(o.mu !== undefined ? { mu: num(o.mu, '--mu') } : {}),
        clip: num(o.clip, '--clip'),
        localEpochs: num(o.epochs, '--epochs'),
        learningRate: num(o.learningRate, '--learning-rate'),
        ...(dp ? { dp } : {}),
        consent: { purpose: o.purpose, computation: o.computation, expiry: Math.floor(Date.now() / 1000 + 60 * num(o.expires, '--expires')!) },
      }
      const s = await http.request<{ id: string; phase: string; config: { rounds: number } }>('POST', '/v1/federated/sessions', { body })
      out({ id: s.id, phase: s.phase, rounds: s.config.rounds })
    })
  train
    .command('join <sessionId>')
    .description("sign this hospital's consent and train on its own rows until the session is done")
    .option('--data <file>', 'CSV rows: features…, label (standardised as the model expects)')
    .option('--task <task>', 'instead of --data: demo rows of this task (breast_cancer), with --part')
    .option('--part <k/n>', 'with --task: part k of n of the training rows, label-skewed')
    .action(async (sessionId: string, o: { data?: string; task?: string; part?: string }) => {
      const g = ctx.g()
      const { FederatedParticipant } = await import('@krain/client')
      if ((o.data === undefined) === (o.task === undefined)) throw usageError('give exactly one of --data and --task')
      const { x, y } = o.data !== undefined ? readRows(o.data) : await taskPart(o.task!, o.part ?? '1/1')
      const bar = progress(`train ${sessionId.slice(4, 12)}…`)
      const h = new FederatedParticipant({
        url: g.url,
        privateKey: keyOf(g),
        sessionId,
        x,
        y,
        onProgress: (s) => bar.step(`round ${Math.min(s.round + 1, s.rounds)} of ${s.rounds}, ${s.present} hospitals present, ${s.phase}${s.epsilonSpent !== null ? `, ε spent ${s.epsilonSpent.toFixed(3)}` : ''}`),
      })
      try {
        const s = await h.run()
        bar.done(`${s.phase}: ${s.round} rounds`)
        out({ id: s.id, phase: s.phase, rounds: s.round, epsilonSpent: s.epsilonSpent })
      } catch (e) {
        bar.fail()
        throw e
      }
    })
  train
    .command('status <sessionId>')
    .description("a session's phase, round k of n, hospitals, ε spent and round history")
    .action(async (sessionId: string) => {
      const http = await ctx.http()
      const s = await http.request<{ id: string; phase: string; round: number; attempt: number; epsilonSpent: number | null; u1: number[] | null; u2: number[] | null; roster: unknown[]; history: unknown[]; modelId: string | null; config: { rounds: number; hospitals: string[]; threshold: number } }>('GET', `/v1/federated/sessions/${sessionId}`)
      out({ id: s.id, phase: s.phase, round: `${s.round} of ${s.config.rounds}`, hospitals: s.config.hospitals, threshold: s.config.threshold, joined: s.roster.length, present: s.u2?.length ?? s.u1?.length ?? s.roster.length, epsilonSpent: s.epsilonSpent, history: s.history, modelId: s.modelId })
    })
  train
    .command('register <sessionId>')
    .description('register the trained model as a gateway model (then infer / prove against it)')
    .requiredOption('--name <name>', 'model name')
    .option('--task <task>', 'with --part: calibrate on this hospital\'s own rows of the task (they are sent to the gateway, as models register --calibration does)')
    .option('--part <k/n>', 'which part of the task rows is this hospital\'s (as in train join)')
    .option('--calibration <file>', 'CSV of calibration rows in the model\'s input space (a header line is skipped)')
    .option('--mode <mode>', 'prove with committed (private) or public weights; asking for a mode refuses a model that cannot be proven')
    .option('--no-follow', 'do not wait for the circuit build')
    .action(async (sessionId: string, o: { name: string; task?: string; part?: string; calibration?: string; mode?: string; follow: boolean }) => {
      if (o.mode !== undefined && o.mode !== 'committed' && o.mode !== 'public') throw usageError('--mode must be committed or public')
      if ((o.task === undefined) !== (o.part === undefined)) throw usageError('--task and --part go together')
      const { readCalibrationCsv, describeModel } = await import('../models-output.js')
      const calibration = o.task && o.part ? (await taskPart(o.task, o.part)).x : o.calibration ? readCalibrationCsv(readFileSync(o.calibration, 'utf8')) : undefined
      const http = await ctx.http()
      const info = await http.request<{ id: string; proving?: { circuit?: string; circuitId?: string } }>('POST', `/v1/federated/sessions/${sessionId}/register`, { body: { name: o.name, ...(calibration ? { calibration } : {}), ...(o.mode ? { mode: o.mode } : {}) } })
      process.stderr.write(describeModel(info as Parameters<typeof describeModel>[0]))
      if (o.follow && info.proving?.circuit === 'generated') {
        const c = await ctx.client()
        const build = progress(`circuit ${info.proving.circuitId ?? ''}`)
        const st = await c.waitForCircuit(info.id, { onProgress: (x) => build.step(`${x.state}${x.phase ? ` · ${x.phase}` : ''}`) })
        if (st.state === 'failed') {
          build.fail()
          throw inputError(`the circuit build failed: ${st.error?.message ?? 'unknown'}`)
        }
        build.done(`${st.state}: ${st.constraints} constraints`)
      }
      out(info)
    })
}
