// vault_unlock_ms_{chromium,firefox,webkit}: the built app in each real engine, one run:
// passphrase typed, "Unlock" pressed → the balance on screen (the vault's key derivation
// and decryption, then the wallet opening). Timed inside the page from the press to the
// balance element, median of 3 unlocks after locking again. Needs `npm run build`.
import { resolve } from 'node:path'
import { startAppServer } from '../server/app-server.ts'
import { ENGINES, launchEngine, type Phone } from '../tests/e2e/engines.ts'
import { click, createWallet, fill, PASS, waitText, re } from '../tests/e2e/phone-ui.ts'
import { median } from './lib/stats.ts'

async function timedUnlock (p: Phone): Promise<number> {
  await fill(p, 'Passphrase', PASS)
  return await p.evaluate(async () => await new Promise<number>((resolve, reject) => {
    const button = Array.from(document.querySelectorAll('button')).find(b => b.textContent?.trim() === 'Unlock')
    if (button === undefined) { reject(new Error('no Unlock button')); return }
    const t0 = performance.now()
    const done = (): boolean => {
      if (document.querySelector('[data-testid="balance"]') === null) return false
      resolve(performance.now() - t0)
      return true
    }
    new MutationObserver((_, obs) => { if (done()) obs.disconnect() }).observe(document.body, { childList: true, subtree: true })
    setTimeout(() => reject(new Error('unlock took over 60 s')), 60_000)
    button.click()
  }))
}

const srv = await startAppServer({ host: '127.0.0.1', port: 0, staticDir: resolve('dist'), devnetFile: ':memory:' })
try {
  for (const name of ENGINES) {
    const engine = await launchEngine(name)
    try {
      const p = await engine.newPhone()
      await p.goto(srv.url + '/')
      await createWallet(p)
      const times: number[] = []
      for (let i = 0; i < 3; i++) {
        await click(p, 'Lock')
        await waitText(p, 'main', re(/Unlock/))
        times.push(await timedUnlock(p))
        await waitText(p, '[data-testid="balance"]', re(/sats$|…/))
      }
      console.log(JSON.stringify({ metric: `vault_unlock_ms_${name}`, value: Math.round(median(times)), unit: 'ms', runs: times.map(t => Math.round(t)) }))
    } finally {
      await engine.close()
    }
  }
} finally {
  await srv.close()
}
