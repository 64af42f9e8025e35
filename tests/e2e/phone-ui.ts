// A person's actions on a Phone of any engine: press a button by its name, type into a
// field by its label, tick a box, read what the screen says. They run as DOM code in the
// page, the same in Chromium, Firefox and WebKit, and wait (poll) like a person
// would for the screen to show what they look for.
import type { Matcher, Phone } from './engines.ts'

export const PASS = 'correct horse battery staple'

export function re (r: RegExp): Matcher { return { re: r.source, flags: r.flags } }

async function poll<T> (what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (e) { last = e }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? ` (${String(last)})` : ''}`)
    await new Promise(resolve => setTimeout(resolve, 150))
  }
}

type Op =
  | { op: 'click', name: Matcher }
  | { op: 'fill', label: Matcher, value: string }
  | { op: 'check', label: Matcher }
  | { op: 'text', selector: string }
  | { op: 'texts', selector: string }

/** The in-page half. Returns null when what it looks for isn't on screen (yet). */
function domOp (o: Op): string | string[] | null {
  const matches = (m: Matcher, s: string): boolean => typeof m === 'string' ? s === m : new RegExp(m.re, m.flags).test(s)
  const clean = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim()
  const visible = (el: Element): boolean => {
    const r = el.getBoundingClientRect()
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
  }
  const labelled = (m: Matcher): HTMLInputElement | HTMLTextAreaElement | null => {
    for (const label of Array.from(document.querySelectorAll('label'))) {
      if (!matches(m, clean(label.textContent)) || !visible(label)) continue
      const control = label.control ?? (label.htmlFor !== '' ? document.getElementById(label.htmlFor) : null)
      if (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement) return control
    }
    return null
  }
  if (o.op === 'click') {
    const els = Array.from(document.querySelectorAll('button, [role="button"], [role="tab"], a[href], summary'))
    const el = els.find(e => visible(e) && !(e as HTMLButtonElement).disabled &&
      matches(o.name, clean(e.getAttribute('aria-label') ?? e.textContent)))
    if (el === undefined) return null
    ;(el as HTMLElement).click()
    return 'ok'
  }
  if (o.op === 'fill') {
    const el = labelled(o.label)
    if (el === null || el.disabled) return null
    el.focus()
    const proto = el instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype
    Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, o.value)
    el.dispatchEvent(new Event('input', { bubbles: true }))
    el.dispatchEvent(new Event('change', { bubbles: true }))
    return 'ok'
  }
  if (o.op === 'check') {
    const el = labelled(o.label)
    if (!(el instanceof HTMLInputElement) || el.disabled) return null
    if (!el.checked) el.click()
    return 'ok'
  }
  if (o.op === 'text') {
    const el = document.querySelector(o.selector)
    return el === null ? null : clean((el as HTMLElement).innerText ?? el.textContent)
  }
  return Array.from(document.querySelectorAll(o.selector)).map(e => clean((e as HTMLElement).innerText ?? e.textContent))
}

async function run (p: Phone, o: Op): Promise<string | string[] | null> {
  return await p.evaluate(domOp as (o: Op) => string | string[] | null, o)
}

const describeM = (m: Matcher): string => typeof m === 'string' ? JSON.stringify(m) : `/${m.re}/`

export async function click (p: Phone, name: Matcher, timeoutMs = 15_000): Promise<void> {
  await poll(`button ${describeM(name)} in ${p.engine}`, async () => (await run(p, { op: 'click', name })) ?? undefined, timeoutMs)
}

export async function fill (p: Phone, label: Matcher, value: string, timeoutMs = 15_000): Promise<void> {
  await poll(`field ${describeM(label)} in ${p.engine}`, async () => (await run(p, { op: 'fill', label, value })) ?? undefined, timeoutMs)
}

export async function check (p: Phone, label: Matcher, timeoutMs = 15_000): Promise<void> {
  await poll(`checkbox ${describeM(label)} in ${p.engine}`, async () => (await run(p, { op: 'check', label })) ?? undefined, timeoutMs)
}

/** Text of the first element matching `selector`, or undefined when there is none. */
export async function text (p: Phone, selector: string): Promise<string | undefined> {
  return (await run(p, { op: 'text', selector }) as string | null) ?? undefined
}

export async function texts (p: Phone, selector: string): Promise<string[]> {
  return await run(p, { op: 'texts', selector }) as string[]
}

/** Waits until the element's text matches; returns that text. */
export async function waitText (p: Phone, selector: string, m: Matcher, timeoutMs = 20_000): Promise<string> {
  return await poll(`${selector} to show ${describeM(m)} in ${p.engine}`, async () => {
    const t = await text(p, selector)
    if (t === undefined) return undefined
    return (typeof m === 'string' ? t.includes(m) : new RegExp(m.re, m.flags).test(t)) ? t : undefined
  }, timeoutMs)
}

// ---------- wallet flows ----------

export async function createWallet (p: Phone): Promise<string> {
  await click(p, 'Create a new wallet')
  const words = (await poll('the recovery words', async () => {
    const w = await texts(p, '[data-testid="mnemonic"] li')
    return w.length >= 12 ? w : undefined
  }, 15_000)).join(' ')
  await check(p, 'I wrote them down')
  const list = words.split(' ')
  for (const label of await texts(p, 'label[for^="check-"]')) {
    const n = Number(label.replace(/\D/g, ''))
    await fill(p, label, list[n - 1]!)
  }
  await fill(p, 'Passphrase', PASS)
  await fill(p, 'Repeat passphrase', PASS)
  await click(p, 'Create wallet')
  await waitText(p, '[data-testid="balance"]', re(/sats$/), 30_000)
  return words
}

export async function balanceSats (p: Phone): Promise<number> {
  const t = await text(p, '[data-testid="balance"]')
  return t === undefined || t.includes('…') ? -1 : Number(t.replace(/\D/g, ''))
}

export async function waitBalance (p: Phone, sats: number, timeoutMs = 30_000): Promise<void> {
  await poll(`balance ${sats} in ${p.engine}`, async () => (await balanceSats(p)) === sats ? true : undefined, timeoutMs)
}

export async function unlock (p: Phone): Promise<void> {
  await fill(p, 'Passphrase', PASS)
  await click(p, 'Unlock')
  await waitText(p, '[data-testid="balance"]', re(/sats$|…/), 30_000)
}

export async function restoreWallet (p: Phone, words: string): Promise<void> {
  await click(p, 'Restore from words')
  await fill(p, 'Recovery words (12 or 24)', words)
  await fill(p, 'Passphrase', PASS)
  await fill(p, 'Repeat passphrase', PASS)
  await click(p, 'Restore wallet')
}

export async function receiveAddress (p: Phone): Promise<string> {
  await click(p, 'Receive')
  const a = await waitText(p, '[data-testid="receive-address"]', re(/\w{26,}/))
  await click(p, 'Wallet')
  return a
}

export async function send (p: Phone, to: string, sats: number): Promise<void> {
  await click(p, 'Pay')
  await fill(p, 'Address or bitcoin: link', to)
  await fill(p, 'Amount (satoshis)', String(sats))
  await click(p, 'Review')
  await click(p, 'Sign and send')
  await waitText(p, '[data-testid="balance"]', re(/sats$/))
}

export async function attr (p: Phone, selector: string, name: string): Promise<string | undefined> {
  return await p.evaluate(([s, n]) => document.querySelector(s)?.getAttribute(n) ?? undefined, [selector, name] as [string, string])
}

/** Text of the whole screen, for failure messages. */
export async function screenText (p: Phone): Promise<string> {
  return (await text(p, 'main').catch(() => undefined)) ?? '(no screen)'
}

/**
 * Points `to`'s camera at the QR code `from` shows: a screenshot of `from`'s code is
 * what `to`'s camera films from then on (a canvas stream in place of getUserMedia's,
 * so it works the same in every engine). The app scans its pixels like any video.
 * Returns the code's text, for checks.
 */
export async function pointCamera (from: Phone, to: Phone): Promise<string> {
  const code = await poll('a QR code on screen', async () => await attr(from, '[data-testid="pair-qr"]', 'data-text'), 30_000)
  // The canvas is there before the code is drawn on it: film it only once it is drawn.
  await poll('the QR code to be drawn', async () => await from.evaluate(() => {
    const c = document.querySelector('[data-testid="pair-qr"]')
    if (!(c instanceof HTMLCanvasElement) || c.width === 0) return undefined
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
    for (let k = 0; k < d.length; k += 4) if (d[k]! < 64) return true
    return undefined
  }), 15_000)
  const png = await from.screenshot('[data-testid="pair-qr"]')
  await to.evaluate(async (dataUrl: string) => {
    const img = new Image()
    img.src = dataUrl
    await img.decode()
    const w = window as unknown as { cameraPicture?: HTMLImageElement, cameraInstalled?: boolean }
    w.cameraPicture = img
    if (w.cameraInstalled === true) return
    w.cameraInstalled = true
    navigator.mediaDevices.getUserMedia = async () => {
      const canvas = document.createElement('canvas')
      canvas.width = 640; canvas.height = 480
      const ctx = canvas.getContext('2d')!
      const draw = (): void => {
        const pic = w.cameraPicture!
        const s = Math.min(440 / pic.width, 440 / pic.height)
        ctx.fillStyle = '#fff'
        ctx.fillRect(0, 0, 640, 480)
        ctx.drawImage(pic, (640 - pic.width * s) / 2, (480 - pic.height * s) / 2, pic.width * s, pic.height * s)
      }
      draw()
      // a camera keeps sending frames; a stream of a canvas only does while it is drawn on
      setInterval(draw, 100)
      return canvas.captureStream(10)
    }
  }, 'data:image/png;base64,' + png.toString('base64'))
  return code
}
