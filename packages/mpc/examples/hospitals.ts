/**
 * Five hospitals compute the per-feature means and class counts of their breast-cancer cases
 * without showing each other (or the coordinator) a single row. One hospital goes offline after
 * uploading its shares; the result is still exact. Run: `node --conditions=source --import tsx
 * packages/mpc/examples/hospitals.ts`.
 */
import { generatePrivateKey } from 'viem/accounts'
import { loadBreastCancer } from '@krain/datasets'
import { Coordinator, Party, addressOf, createSession } from '@krain/mpc'

/** Run the example; returns the secure means and counts. */
export function runHospitalExample(): { means: number[]; malignant: number; benign: number; cheaters: string[] } {
  const data = loadBreastCancer() // 569 rows × 30 features, label 0 = malignant, 1 = benign
  const F = data.featureCount

  // identities: every hospital and the coordinator hold a secp256k1 (wallet) key
  const coordinatorKey = generatePrivateKey()
  const hospitalKeys = Array.from({ length: 5 }, () => generatePrivateKey())

  // each hospital's local vector: [Σ features (30), #malignant, #benign]
  const local = hospitalKeys.map((_, h) => {
    const v = new Array<number>(F + 2).fill(0)
    data.x.forEach((row, i) => {
      if (i % 5 !== h) return // rows are spread over the hospitals
      row.forEach((x, j) => (v[j] += x))
      v[F + data.y[i]!] += 1
    })
    return v
  })

  // the coordinator (e.g. the Krain gateway) opens a session
  const now = Date.now()
  const config = createSession({
    coordinator: addressOf(coordinatorKey),
    parties: hospitalKeys.map(addressOf),
    threshold: 3, // any 3 sum-shares reconstruct; 2 colluding hospitals learn nothing
    length: F + 2,
    scale: 2 ** 16,
    bound: 1e6, // every local sum is below 10^6 in magnitude
    deadlines: { join: now + 60_000, share: now + 120_000, sum: now + 180_000 },
  })
  const coordinator = new Coordinator({ config, identityKey: coordinatorKey })
  const hospitals = hospitalKeys.map((identityKey) => new Party({ config, identityKey }))

  // round 1: signed joins
  for (const h of hospitals) coordinator.receive(h.join(), Date.now())
  const roster = coordinator.roster()
  // round 2: each hospital uploads its encrypted shares in one message
  hospitals.forEach((h, i) => coordinator.receive(h.share(local[i]!, roster), Date.now()))
  // round 3: hospital 4 has gone offline; the others send their sum-shares
  for (const h of hospitals.slice(0, 4)) coordinator.receive(h.sum(coordinator.bundleFor(h.address)), Date.now())
  // the sum deadline passes (or an operator closes the round): 4 ≥ t sum-shares reconstruct
  coordinator.closeRound(Date.now())
  const result = coordinator.result()

  const malignant = result.values[F]!
  const benign = result.values[F + 1]!
  const means = result.values.slice(0, F).map((s) => s / (malignant + benign))
  return { means, malignant, benign, cheaters: result.cheaters }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runHospitalExample()
  console.log(`malignant ${r.malignant}, benign ${r.benign}; mean radius ${r.means[0]!.toFixed(4)}`)
}
