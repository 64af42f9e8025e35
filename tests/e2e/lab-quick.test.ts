// The network lab's quick subset (the whole lab: `npm run lab`): one Wi-Fi and two home
// routers with TURN credentials from the signalling service (invite mode), and the payer
// offline in both pairing modes, one run each.
// Needs root, iproute2, iptables, coturn and chromium; skipped with the reason otherwise.
import { describe, expect, it } from 'vitest'
import { runLab } from '../lab/lab.ts'
import { labPrerequisites } from '../lab/net.ts'
import { CONDITIONS } from '../lab/conditions.ts'
import { EXPLAIN_LIMIT_MS, labProblems } from '../lab/summary.ts'

const missing = labPrerequisites()
if (missing !== undefined) console.warn(`[lab-quick] skipped: ${missing}. Run as root with iptables and coturn installed (.ci/run installs them).`)

describe.skipIf(missing !== undefined)('network lab, quick subset', () => {
  it('two phones connect directly on one Wi-Fi and across two NATs, well under 3 s, and the lab leaves no namespace behind', async () => {
    const lines: string[] = []
    // runLab throws if any namespace it made is still there afterwards.
    const results = await runLab({ conditions: ['same_lan', 'two_nats'], modes: ['invite'], runs: 1, capMs: 10_000, keepPhones: true, log: l => lines.push(l) })
    console.log(lines.join('\n'))
    expect(results.map(r => [r.condition, r.ok])).toEqual([['same_lan', true], ['two_nats', true]])
    for (const r of results) {
      // What the app itself reports (linkReport(link).path): phone to phone, neither a
      // TURN server nor the WebSocket relay. Two port-restricted NATs hole-punch.
      expect(r.path).toBe('direct')
      expect(r.ms).toBeLessThan(3000)
    }
  }, 90_000)

  it('with the payer offline, both phones say what happened and what to do within 5 s, in both pairing modes', async () => {
    const lines: string[] = []
    const capMs = 10_000
    const results = await runLab({ conditions: ['payer_offline'], modes: ['invite', 'qr'], runs: 1, capMs, keepPhones: true, log: l => lines.push(l) })
    console.log(lines.join('\n'))
    expect(results.map(r => [r.mode, r.ok])).toEqual([['invite', false], ['qr', false]])
    expect(labProblems(results, CONDITIONS, capMs)).toEqual([])
    for (const r of results) {
      for (const side of [r.explained?.payee, r.explained?.payer]) {
        expect(side?.ms).toBeLessThanOrEqual(EXPLAIN_LIMIT_MS)
        // Something to do, not just "failed".
        expect(side?.text).toMatch(/Wi-Fi|hotspot|mobile data|one-scan|two-scan|showing codes/)
      }
    }
  }, 90_000)
})
