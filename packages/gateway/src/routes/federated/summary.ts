/**
 * @module routes/federated/summary
 * The list view of a federated session (`GET /v1/federated/sessions`): roster, consents, round k of
 * n, the open attempt's dropouts and the privacy budget spent, from its public status.
 */
import type { FederatedSessionSummary, FederatedStatus } from '@krain/client/schemas/federated'

/** Summarise a session's public status for the list. */
export function summaryOf(s: FederatedStatus): FederatedSessionSummary {
  const c = s.config
  const at = (indices: number[] | null): Set<number> => new Set(indices ?? [])
  const u1 = at(s.u1)
  const u2 = at(s.u2)
  const last = s.history.filter((h) => !h.refused).at(-1)
  return {
    id: s.id,
    name: c.name,
    creator: c.creator,
    hospitals: c.hospitals,
    consented: s.consents.map((x) => x.consent.party),
    phase: s.phase,
    round: s.round,
    rounds: c.rounds,
    attempt: s.attempt,
    threshold: c.threshold,
    algorithm: c.algorithm,
    dropouts: s.u2 === null ? [] : c.hospitals.filter((_, i) => u1.has(i + 1) && !u2.has(i + 1)),
    lastContributors: last ? last.contributors.length : null,
    epsilonSpent: s.epsilonSpent,
    dp: c.dp ? { epsilon: c.dp.epsilon, delta: c.dp.delta } : null,
    modelId: s.modelId,
    createdAt: c.createdAt,
  }
}
