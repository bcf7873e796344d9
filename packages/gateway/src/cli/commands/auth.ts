/**
 * @module cli/commands/auth
 * `krain auth token`: sign in with the wallet key (SIWE) and print the session token, for curl
 * (`-H "authorization: Bearer $TOKEN"`) or the /docs page's Authorize button.
 */
import type { Command } from 'commander'
import { contextOf } from '../context.js'

/** Register `auth`. */
export function registerAuthCommands(p: Command): void {
  const ctx = contextOf(p)
  const auth = p.command('auth').description('sessions')
  auth
    .command('token')
    .description('sign in and print a session token (stdout: the token alone; how to use it on stderr)')
    .action(async () => {
      const http = await ctx.http()
      const token = await http.signIn()
      const me = await http.request<{ address: string; roles: string[] }>('GET', '/v1/auth/me')
      process.stdout.write(`${token}\n`)
      process.stderr.write(
        `session of ${me.address} (roles: ${me.roles.join(', ') || 'none'}; it expires after the gateway's KRAIN_SESSION_TTL, default one hour)\n` +
          `  curl -H "authorization: Bearer $TOKEN" ${ctx.g().url}/v1/jobs     (TOKEN=$(npx krain auth token))\n` +
          `  or paste it into ${ctx.g().url}/docs → Authorize, or the dashboard ${ctx.g().url}/ui\n`,
      )
    })
}
