// A message a person reads has two parts: the plain sentence (what happened, what to do) and,
// sometimes, the technical detail behind it (the miner's own words, the browser's reason for a
// dropped connection). The detail travels inside the same string, in a form that still reads
// well where it is stored or logged as one line, and the screen splits it: the sentence in the
// main text, the detail behind a "Details" disclosure (issue 13).
// Pure: no DOM.

export interface PlainMessage {
  /** The plain sentence for the main text. */
  text: string
  /** Technical detail for the "Details" disclosure, when there is any. */
  detail?: string
}

const DETAILS = /\s*\(Details: ([\s\S]*)\)\s*$/
/** The miner's words quoted after our sentence (src/core/arc-status.ts). */
const MINER_SAID = /\s*\((The miner said: "[\s\S]*")\)\s*$/

/** `text`, carrying `detail` for the disclosure (nothing added when there is no detail). */
export function withDetail (text: string, detail: string | undefined): string {
  const d = detail?.replace(/\s+/g, ' ').trim()
  return d === undefined || d === '' ? text : `${text} (Details: ${d})`
}

/** Splits a message into its plain sentence and its technical detail. */
export function splitDetail (message: string): PlainMessage {
  for (const re of [DETAILS, MINER_SAID]) {
    const m = re.exec(message)
    if (m !== null && m.index > 0) return { text: message.slice(0, m.index), detail: m[1]! }
  }
  return { text: message }
}
