/**
 * The local cluster for tests (and the cluster benchmark): see `src/worker/local-cluster.ts`
 * (`startCluster({ gateways, workers, … })`: a PostgreSQL schema, anvil, gateway and worker child
 * processes with kill -9 handles). Re-exported here so tests import it from their helpers.
 */
export { schemaUrl, spawnWorker, startCluster } from '../../src/worker/local-cluster.js'
export type { Cluster, ClusterGateway, ClusterOptions, ClusterProcess, ClusterWorker } from '../../src/worker/local-cluster.js'

/** The JSON log lines of a cluster process's stderr (other lines, and lines that do not parse, are dropped). */
export function logLines<T extends object = { msg?: string; job?: string; attempt?: number }>(stderr: string): Partial<T>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Partial<T>
      } catch {
        return {}
      }
    })
}
