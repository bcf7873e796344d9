/**
 * @module plugins/external/swagger
 * OpenAPI document generated from the routes' TypeBox schemas, served with Swagger UI at /docs.
 */
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

/** Register @fastify/swagger and @fastify/swagger-ui. */
export const swaggerPlugin = fp(
  async (fastify) => {
    await fastify.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'Krain gateway', description: 'Encrypted inference, proven inference and MPC sessions.', version: '0.1.0' },
        components: {
          securitySchemes: {
            session: { type: 'http', scheme: 'bearer', description: 'token from POST /v1/auth/session' },
            signature: { type: 'apiKey', in: 'header', name: 'x-krain-signature', description: 'EIP-191 request signature with x-krain-address and x-krain-timestamp' },
          },
        },
      },
    })
    await fastify.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  },
  { name: 'krain-swagger' },
)
