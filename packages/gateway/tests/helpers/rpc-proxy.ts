/**
 * A loopback TCP proxy in front of an RPC node that can be switched off and on: a real network
 * outage for the outbox tests (connections are refused while it is down).
 */
import { createServer, connect, type Server, type Socket } from 'node:net'

export type RpcProxy = { url: string; down: () => Promise<void>; up: () => Promise<void>; close: () => Promise<void> }

export async function startRpcProxy(target: string, { startDown = false } = {}): Promise<RpcProxy> {
  const { hostname, port: targetPort } = new URL(target)
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const listen = async (): Promise<void> => {
    server = createServer((client) => {
      const upstream = connect(Number(targetPort), hostname)
      sockets.add(client).add(upstream)
      client.pipe(upstream).pipe(client)
      const drop = (): void => {
        client.destroy()
        upstream.destroy()
        sockets.delete(client)
        sockets.delete(upstream)
      }
      client.on('error', drop).on('close', drop)
      upstream.on('error', drop).on('close', drop)
    })
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()))
    port = (server.address() as { port: number }).port
  }
  const stop = async (): Promise<void> => {
    for (const s of sockets) s.destroy()
    sockets.clear()
    if (server) await new Promise<void>((r) => server!.close(() => r()))
    server = undefined
  }
  await listen()
  if (startDown) await stop()
  return { url: `http://127.0.0.1:${port}`, down: stop, up: listen, close: stop }
}
