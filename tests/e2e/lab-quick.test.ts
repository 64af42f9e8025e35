// The network lab's quick subset (the whole lab: `npm run lab`): one Wi-Fi, and two home
// routers with TURN credentials from the signalling service, invite mode, one run each.
// Needs root, iproute2, iptables, coturn and chromium; skipped with the reason otherwise.
import { describe, expect, it } from 'vitest'
import { runLab } from '../lab/lab.ts'
import { labPrerequisites } from '../lab/net.ts'

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
      // Direct (host, server-reflexive or TURN), not the WebSocket relay fallback.
      expect(r.via).toMatch(/^direct /)
      expect(r.ms).toBeLessThan(3000)
    }
  }, 90_000)
})
