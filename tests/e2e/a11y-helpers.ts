// Accessibility helpers for browser tests: axe-core run inside the page, and a check that
// nothing is wider than a small phone.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import type { AxeResults, ImpactValue } from 'axe-core'

const require = createRequire(import.meta.url)
// The server's CSP forbids inline scripts, so axe goes in through evaluate (not subject to CSP).
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
export const BLOCKING: ImpactValue[] = ['serious', 'critical']

export interface Finding { screen: string, id: string, impact: ImpactValue | null | undefined, help: string, targets: string[] }

/** Runs axe (WCAG 2.0/2.1 A and AA) on the page as it is now; returns every violation. */
export async function axeViolations (page: Page, screen: string): Promise<Finding[]> {
  if (!await page.evaluate(() => 'axe' in window)) await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeResults> } }).axe
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.map(String).join(' ')) }))
  }, WCAG_TAGS)
  return violations.map(v => ({ screen, ...v }))
}

export function formatFindings (findings: Finding[]): string {
  return findings.map(f => `[${f.screen}] ${f.id} (${f.impact ?? 'n/a'}): ${f.help}\n    ${f.targets.join('\n    ')}`).join('\n')
}

/**
 * Horizontal overflow beyond `width` CSS px: the page's scroll width and the elements sticking
 * out. (A mobile browser widens its layout viewport to fit overflowing content, so the width
 * is given rather than read from innerWidth.)
 */
export async function horizontalOverflow (page: Page, width: number): Promise<{ scrollWidth: number, culprits: string[] }> {
  return await page.evaluate((width) => {
    const culprits: string[] = []
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect()
      if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) {
        const id = el.id !== '' ? `#${el.id}` : ''
        const cls = typeof el.className === 'string' && el.className !== '' ? '.' + el.className.trim().split(/\s+/).join('.') : ''
        culprits.push(`${el.tagName.toLowerCase()}${id}${cls} [${Math.round(r.left)}..${Math.round(r.right)}]`)
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, culprits: culprits.slice(0, 10) }
  }, width)
}
