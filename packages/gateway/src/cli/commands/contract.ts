/**
 * @module cli/commands/contract
 * `krain contract check|compile|deploy|call`: check a secret contract (positioned
 * errors), print its plan (scheme, parameters, depth, Galois keys, error bounds), deploy it to the
 * gateway, and call it — rows are encrypted here with this wallet's own keys, the gateway computes
 * on ciphertexts, the results are decrypted here.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { contextOf, inputError, out, readInput } from '../context.js'

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    throw inputError(`cannot read contract ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
}

/** The plan as printed by `check` and `compile`. */
async function planOf(file: string) {
  const { compileContract } = await import('@krain/contracts-lang')
  const { plan, hash } = compileContract(readSource(file))
  return {
    hash,
    scheme: plan.scheme,
    schemeReason: plan.schemeReason,
    parameters: plan.params ?? null,
    depth: plan.depth,
    galoisSteps: plan.galoisSteps,
    relin: plan.relin,
    samplesPerCiphertext: plan.samplesPerCiphertext,
    inputs: plan.inputs.map((i) => `${i.name}: ${i.enc ? 'enc' : 'plain'} ${i.type.length ? `vec<${i.type.length}>` : i.type.base} in [${i.range[0]}, ${i.range[1]}]`),
    outputs: plan.outputs.map((o) => ({ name: o.name, encrypted: o.enc, range: o.range, errorBound: o.errorBound })),
    approximations: plan.approximations,
  }
}

/** Register `contract`. */
export function registerContractCommands(p: Command): void {
  const ctx = contextOf(p)
  const contract = p.command('contract').description('secret contracts: computations on encrypted data')
  contract
    .command('check <file>')
    .description('check a contract: types, encrypted/plain flow, ranges, depth (errors name line:column)')
    .action(async (file: string) => {
      const plan = await planOf(file)
      out({ ok: true, scheme: plan.scheme, depth: plan.depth, inputs: plan.inputs, outputs: plan.outputs.map((o) => o.name) })
    })
  contract
    .command('compile <file>')
    .description('print the plan: scheme, parameters, depth, Galois keys, error bounds')
    .action(async (file: string) => out(await planOf(file)))
  contract
    .command('deploy <file>')
    .description('deploy a contract (you become its owner)')
    .option('--caller <address...>', 'addresses that may call it (`*` = every agent); default: only you')
    .option('--rate <calls/seconds>', 'calls per caller per window, e.g. 100/60')
    .action(async (file: string, o: { caller?: string[]; rate?: string }) => {
      let rateLimit: { calls: number; windowSeconds: number } | undefined
      if (o.rate !== undefined) {
        const m = /^(\d+)\/(\d+)$/.exec(o.rate)
        if (!m) throw inputError('--rate: expected CALLS/SECONDS, e.g. 100/60')
        rateLimit = { calls: Number(m[1]), windowSeconds: Number(m[2]) }
      }
      const { ContractClient } = await import('@krain/client')
      const c = new ContractClient({ http: await ctx.http() })
      const info = await c.deploy({ source: readSource(file), ...(o.caller ? { callers: o.caller } : {}), ...(rateLimit ? { rateLimit } : {}) })
      out({ id: info.id, owner: info.owner, hash: info.hash, scheme: info.scheme, callers: info.callers, rateLimit: info.rateLimit, record: info.record })
    })
  contract
    .command('call <id>')
    .description('encrypt rows here, run the contract on the gateway, decrypt here')
    .requiredOption('--input <rows.json>', 'rows: a JSON file or inline JSON, one object per row with every encrypted input')
    .option('--plain <json>', 'values of the plain inputs (JSON object, file or inline)')
    .action(async (id: string, o: { input: string; plain?: string }) => {
      const rows = readInput(o.input)
      const list = Array.isArray(rows) ? rows : [rows]
      if (list.length === 0 || !list.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) throw inputError('--input: expected an object per row ({"x": [...]}) or an array of them')
      const plain = o.plain !== undefined ? readInput(o.plain, '--plain') : undefined
      if (plain !== undefined && (plain === null || typeof plain !== 'object' || Array.isArray(plain))) throw inputError('--plain: expected a JSON object of plain input values')
      const { ContractClient } = await import('@krain/client')
      const c = new ContractClient({ http: await ctx.http() })
      try {
        out(await c.call({ id, rows: list as Record<string, number | number[]>[], ...(plain ? { plain: plain as Record<string, number | number[]> } : {}) }))
      } finally {
        await c.dispose()
      }
    })
}
