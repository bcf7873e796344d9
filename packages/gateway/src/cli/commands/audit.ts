/**
 * @module cli/commands/audit
 * `krain audit export SESSION` writes a session's tamper-evident audit log (`@krain/audit`
 * export: hash-chained entries, gateway-signed, with the hospitals' co-signatures);
 * `krain audit verify FILE` checks it offline and names the first altered, moved or missing entry
 * (exit code 1 when it does not verify).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { contextOf, inputError, out } from '../context.js'
/** Register `audit`. */
export function registerAuditCommands(p: Command): void {
  const ctx = contextOf(p)
  const audit = p.command('audit').description("a session's audit log: export it, verify it offline")
  audit
    .command('export <sessionId>')
    .description('write the audit log of a session (JSON)')
    .option('--out <file>', 'file to write (default: stdout)')
    .action(async (sessionId: string, o: { out?: string }) => {
      const http = await ctx.http()
      const log = await http.request<{ entries: unknown[]; owner: string }>('GET', `/v1/audit/${sessionId}`)
      if (o.out) {
        writeFileSync(o.out, `${JSON.stringify(log, null, 2)}\n`)
        out({ file: o.out, entries: log.entries.length, owner: log.owner })
      } else out(log)
    })
  audit
    .command('verify <file>')
    .description('check an exported audit log offline (chain, hashes, signatures, signed head)')
    .option('--owner <address>', "the gateway's address the log must be signed by (default: the file's own owner field)")
    .action(async (file: string, o: { owner?: string }) => {
      const [{ verifyLog }, { Type }, { Value }] = await Promise.all([import('@krain/audit'), import('typebox'), import('typebox/value')]) // (loaded here, not at CLI start-up)
      /** An exported log that names its owner (the default key it must be signed by). */
      const OwnedLog = Type.Object({ owner: Type.String() })
      let log: unknown
      try {
        log = JSON.parse(readFileSync(file, 'utf8'))
      } catch (e) {
        throw inputError(`cannot read ${file} as JSON`, (e as Error).message)
      }
      const owner = o.owner ?? (Value.Check(OwnedLog, log) ? log.owner : '')
      const r = verifyLog(log, { ownerPublicKey: owner })
      out({ file, owner, ...r })
      if (!r.valid) process.exitCode = 1
    })
}
