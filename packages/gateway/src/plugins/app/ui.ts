/**
 * @module plugins/app/ui
 * The dashboard at `/ui`: a static page, its stylesheet and its script (the browser bundle built by
 * scripts/build-client.mjs into ui/dist/, during `npm install`). Files are read once and served from
 * memory, with a Content-Security-Policy that allows only this origin (no CDN, no inline script).
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** CSP of the dashboard's responses: scripts, styles and requests to this origin only. */
export const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const uiDir = fileURLToPath(new URL('../../../ui/', import.meta.url))

const files: Record<string, { path: string; type: string }> = {
  '/ui': { path: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/style.css': { path: 'style.css', type: 'text/css; charset=utf-8' },
  '/ui/app.js': { path: 'dist/app.js', type: 'text/javascript; charset=utf-8' },
}

/** Register the `/ui` routes (public: the page holds no secret; its API calls carry their own auth). */
export const uiPlugin = fp(
  async (fastify: FastifyInstance) => {
    for (const [url, { path, type }] of Object.entries(files)) {
      const file = uiDir + path
      let body: Buffer | undefined
      fastify.get(url, { schema: { hide: true } }, async (_req, reply) => {
        body ??= existsSync(file) ? readFileSync(file) : undefined
        reply.header('content-security-policy', UI_CSP)
        if (!body) return reply.code(503).type('text/plain; charset=utf-8').send(`dashboard not built: run \`npm run build:client -w @krain/gateway\` (${path} is missing)`)
        return reply.type(type).header('cache-control', 'no-cache').send(body)
      })
    }
    fastify.get('/ui/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/ui'))
  },
  { name: 'krain-ui' },
)
