// Worker entry when the gateway runs from TypeScript sources: register tsx in this worker thread,
// then load the real task module. (A built gateway points piscina at dist/workers/task.js instead.)
import { register } from 'tsx/esm/api'

register()
const mod = await import('./task.ts')
export default mod.default
