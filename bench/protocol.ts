// verify_payment_ms: median time for the payee to verify a 3-input payment whose
// parents carry merkle proofs checked against a (local) chain tracker.
import { verifyPayment } from '../src/core/protocol/index.ts'
import { NOW, threeInputScenario } from '../tests/unit/protocol-fixtures.ts'

const RUNS = 41
const WARMUP = 5

async function main (): Promise<void> {
  const s = await threeInputScenario()
  const once = async (): Promise<number> => {
    const t0 = performance.now()
    const r = await verifyPayment({ request: s.request, payment: s.payment, network: 'devnet', nowSec: NOW, feeRateSatPerKb: 100, chainTracker: s.tracker })
    const dt = performance.now() - t0
    if (r.kind !== 'accepted' || r.proofs !== 'verified') throw new Error(`benchmark payment not accepted: ${JSON.stringify(r)}`)
    return dt
  }
  for (let i = 0; i < WARMUP; i++) await once()
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) times.push(await once())
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)] ?? NaN
  console.log(JSON.stringify({ metric: 'verify_payment_ms', value: Math.round(median * 100) / 100, unit: 'ms' }))
}

await main()
