// Renders public/icon*.svg to the PNG sizes the web app manifest needs, with the same
// Chromium the tests use (no image tool to install). Run after changing the SVGs:
//   npx tsx scripts/make-icons.ts
import { readFileSync } from 'node:fs'
import { launch } from '../tests/e2e/browser.ts'

const jobs = [
  { svg: 'public/icon.svg', out: 'public/icon-192.png', size: 192 },
  { svg: 'public/icon.svg', out: 'public/icon-512.png', size: 512 },
  { svg: 'public/icon-maskable.svg', out: 'public/icon-maskable-512.png', size: 512 },
  { svg: 'public/icon.svg', out: 'public/apple-touch-icon.png', size: 180 }
]
const browser = await launch()
for (const j of jobs) {
  const page = await browser.newPage({ viewport: { width: j.size, height: j.size } })
  const svg = readFileSync(j.svg, 'utf8').replace('<svg ', `<svg width="${j.size}" height="${j.size}" `)
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`)
  await page.screenshot({ path: j.out, omitBackground: true })
  await page.close()
}
await browser.close()
