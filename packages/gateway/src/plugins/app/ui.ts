/**
 * @module plugins/app/ui
 * The dashboard at `/ui`: its page and stylesheet (ui/) and its script and chunks (ui/dist/, built
 * by scripts/build-client.mjs during `npm install`), served by @fastify/static. Responses carry a
 * Content-Security-Policy that allows this origin only (no CDN, no inline script); WebAssembly and
 * blob workers are allowed for snarkjs, which verifies proofs in the page.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * CSP of the dashboard's responses: scripts, styles and requests to this origin only; WebAssembly
 * compilation and `blob:` workers for snarkjs's pairing check (ffjavascript's thread pool).
 */
export const UI_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * {@link UI_CSP}, with requests also allowed to the chain's public RPC (`KRAIN_PUBLIC_RPC_URL`, or the
 * embedded anvil's), which the page reads to verify a receipt against the registry itself.
 * @param publicRpcUrl - the RPC URL the gateway announces in `/healthz`, if any
 */
export function uiCsp(publicRpcUrl?: string): string {
  if (!publicRpcUrl) return UI_CSP
  const origin = new URL(publicRpcUrl).origin
  return UI_CSP.replace("connect-src 'self'", `connect-src 'self' ${origin}`)
}

const uiDir = fileURLToPath(new URL('../../../ui/', import.meta.url))
const distDir = `${uiDir}dist/`

/** Files under /ui/ that may be served: the page's assets and the built bundle (never ui/src/). */
const SERVED = /^\/?(?:index\.html|style\.css|app\.js(?:\.map)?|chunks\/[\w-]+\.js(?:\.map)?)$/

/** Register the `/ui` routes (public: the page holds no secret; its API calls carry their own auth). */
export const uiPlugin = fp(
  async (fastify: FastifyInstance) => {
    await fastify.register(async (scope) => {
      // after helmet's API CSP (onRequest): the dashboard's own policy
      const csp = uiCsp(fastify.config.publicRpcUrl)
      scope.addHook('onSend', async (_req, reply, payload) => {
        reply.header('content-security-policy', csp)
        return payload
      })
      await scope.register(fastifyStatic, {
        root: [distDir, uiDir],
        prefix: '/ui/',
        index: false,
        wildcard: true,
        allowedPath: (pathName) => SERVED.test(pathName),
        cacheControl: true,
        maxAge: 0,
        schemaHide: true,
      })
      scope.get('/ui', { schema: { hide: true } }, async (_req, reply) => {
        if (!existsSync(`${distDir}app.js`)) return reply.code(503).type('text/plain; charset=utf-8').send('dashboard not built: run `npm run build:client -w @krain/gateway` (ui/dist/app.js is missing)')
        return reply.header('cache-control', 'no-cache').sendFile('index.html', uiDir)
      })
      scope.get('/ui/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui'))
    })
  },
  { name: 'krain-ui' },
)
