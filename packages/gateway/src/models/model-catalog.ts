/**
 * @module models/model-catalog
 * The registered models as the routes see them: look one up (404 when absent), describe it
 * (shapes, commitment, provability — never its weights), list them. Models never change once
 * registered, so a model's description is computed once per catalog; the list is read by every
 * agent and changes rarely, so it is served from memory for up to {@link LIST_CACHE_MS}. One
 * catalog per gateway instance (no module-level state: two instances in one process, as in the
 * tests, never see each other's cache).
 */
import { modelShape } from '@krain/models'
import type { ModelInfo } from '@krain/client/schemas/models'
import { NotFoundError } from '../errors.js'
import type { ModelRecord, Store } from '../store/types.js'
import { buildJobId } from '../zk/circuit-builds.js'
import { checkModelShape } from './model-shape.js'

/** How long {@link ModelCatalog.list} serves its list from memory (a registration here shows at once; one on another instance within this time). */
export const LIST_CACHE_MS = 1000

type ModelDescription = Omit<ModelInfo, 'id' | 'name' | 'kind' | 'owner' | 'commitment' | 'createdAt'>

/** Registered models: lookup, description, list. */
export class ModelCatalog {
  readonly #descriptions = new Map<string, ModelDescription>()
  #listed: { until: number; views: Promise<ModelInfo[]> } | undefined

  constructor(private readonly store: Store) {}

  /**
   * The stored model `id`.
   * @throws {NotFoundError} when there is none
   */
  async get(id: string): Promise<ModelRecord> {
    const m = await this.store.getModel(id)
    if (!m) throw new NotFoundError('model', id)
    return m
  }

  /** The public view of a model: shapes and commitment, never its weights. */
  view(m: ModelRecord): ModelInfo {
    let d = this.#descriptions.get(m.id)
    if (!d) {
      const { inputs, outputs } = checkModelShape(m.spec)
      const s = modelShape(m.spec)
      const meta = m.meta
      d = { inputs, outputs, head: s.head, layers: s.layers, parameters: s.parameters, ...(meta ? { source: meta.source, proving: { ...meta.proving, ...(meta.proving.circuit === 'generated' ? { buildJobId: buildJobId(m.id) } : {}) } } : {}) }
      this.#descriptions.set(m.id, d)
    }
    return { id: m.id, name: m.name, kind: m.kind, owner: m.owner, commitment: m.commitment, createdAt: m.createdAt, ...d }
  }

  /** Every model's view, oldest first (from memory for up to {@link LIST_CACHE_MS}). */
  list(): Promise<ModelInfo[]> {
    const now = Date.now()
    if (!this.#listed || this.#listed.until <= now) {
      const views = this.store.listModels().then((ms) => ms.map((m) => this.view(m)))
      this.#listed = { until: now + LIST_CACHE_MS, views }
      views.catch(() => {
        if (this.#listed?.views === views) this.#listed = undefined
      })
    }
    return this.#listed.views
  }

  /** Forget the cached list (a model was registered by this instance). */
  changed(): void {
    this.#listed = undefined
  }
}
