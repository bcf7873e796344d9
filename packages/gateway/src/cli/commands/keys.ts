/**
 * @module cli/commands/keys
 * `krain keys new|show|bundles`. A new wallet key is written with mode 0600 and never into a git
 * work tree unless git ignores that path (the default `.krain/` gets a `.gitignore` of its own);
 * `keys bundles` lists (and deletes) the evaluation-key bundles uploaded to the gateway, which
 * expire on their own (`KRAIN_KEY_BUNDLE_TTL`).
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import type { Command } from 'commander'
import { GatewayError } from '../../errors.js'
import { contextOf, DEFAULT_KEY_FILE, keyOf, out, usageError } from '../context.js'

/**
 * Whether writing `file` would put a secret into a git work tree unignored: true when its directory
 * is inside a work tree and `git check-ignore` does not match it (false without git).
 */
export function unignoredInGitTree(file: string): { repo: string } | null {
  const dir = resolve(dirname(file))
  let probe = dir
  while (!existsSync(probe)) probe = dirname(probe)
  const top = spawnSync('git', ['-C', probe, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' })
  if (top.status !== 0) return null
  const ignored = spawnSync('git', ['-C', probe, 'check-ignore', '-q', '--no-index', resolve(file)], { encoding: 'utf8' })
  return ignored.status === 0 ? null : { repo: top.stdout.trim() }
}

/** Register `keys`. */
export function registerKeysCommands(p: Command): void {
  const ctx = contextOf(p)
  const keys = p.command('keys').description('wallet keys, and your evaluation-key bundles on the gateway')
  keys
    .command('new')
    .description('create a wallet key (mode 0600; refused inside a git work tree unless git ignores the path)')
    .option('--out <file>', 'where to write it', DEFAULT_KEY_FILE)
    .option('--force', 'overwrite an existing key file')
    .action(async (o: { out: string; force?: boolean }) => {
      if (existsSync(o.out) && !o.force) throw usageError(`${o.out} exists; pass --force to overwrite`)
      const dir = dirname(o.out)
      // the default directory (and any `.krain/`) ignores itself: it holds keys and the gateway's data
      if (basename(resolve(dir)) === '.krain') {
        mkdirSync(dir, { recursive: true, mode: 0o700 })
        if (!existsSync(`${dir}/.gitignore`)) writeFileSync(`${dir}/.gitignore`, '# keys and gateway data: never committed\n*\n')
      }
      const repo = unignoredInGitTree(o.out)
      if (repo) {
        throw new GatewayError('CLI_UNSAFE_KEY_PATH', {
          shortMessage: `${o.out} is inside the git work tree ${repo.repo} and not ignored: a private key there is one \`git add .\` from being published`,
          details: `write it under .krain/ (ignored: --out .krain/${basename(o.out)}), outside the repository, or add it to .gitignore first (echo '${basename(o.out)}' >> .gitignore)`,
        })
      }
      const { addressOfKey, newPrivateKey } = await import('../address.js')
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      const key = newPrivateKey()
      writeFileSync(o.out, `${key}\n`, { mode: 0o600 })
      chmodSync(o.out, 0o600)
      out({ address: addressOfKey(key), file: o.out })
    })
  keys
    .command('show')
    .description('print the address of the configured key')
    .action(async () => {
      const { addressOfKey } = await import('../address.js')
      out({ address: addressOfKey(keyOf(ctx.g())) })
    })
  keys
    .command('bundles')
    .description('my evaluation-key bundles on the gateway (size, upload and expiry times); --delete ID or --delete-all removes them')
    .option('--delete <keyId>', 'delete this bundle')
    .option('--delete-all', 'delete all my bundles')
    .action(async (o: { delete?: string; deleteAll?: boolean }) => {
      const http = await ctx.http()
      type Bundle = { keyId: string; bytes: number; polyModulusDegree: number; createdAt: number; expiresAt: number }
      const list = async (): Promise<Bundle[]> => http.request<Bundle[]>('GET', '/v1/he/keys')
      if (o.delete || o.deleteAll) {
        const ids = o.delete ? [o.delete] : (await list()).map((b) => b.keyId)
        for (const id of ids) await http.request('DELETE', `/v1/he/keys/${encodeURIComponent(id)}`)
        return out({ deleted: ids })
      }
      const bundles = await list()
      out({
        bundles: bundles.map((b) => ({ keyId: b.keyId, size: `${(b.bytes / 2 ** 20).toFixed(1)} MiB`, polyModulusDegree: b.polyModulusDegree, uploaded: new Date(b.createdAt).toLocaleString(), expires: new Date(b.expiresAt).toLocaleString() })),
        totalBytes: bundles.reduce((s, b) => s + b.bytes, 0),
      })
    })
}
