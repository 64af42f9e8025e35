// Issue 13: the words and shapes a person should never have to read in the main text of any
// screen. Shared by the unit scan of the message tables (tests/unit/jargon.test.ts) and the
// browser sweep of what is on screen (tests/e2e/jargon-sweep.test.ts).
/** Words and shapes a person at a shop counter should never have to read. */
export const JARGON: ReadonlyArray<[string, RegExp]> = [
  ['BEEF', /\bBEEF\b/],
  ['txid', /\btxids?\b/i],
  ['SPV', /\bSPV\b/],
  ['UTXO', /\bUTXOs?\b/i],
  // Only where it names the setting a person fills in (Settings: "Miner (ARC) URL", "ARC API key").
  ['ARC', /(?<!\()\bARC\b(?!\)| (API )?key)/],
  ['ICE', /\bICE\b/],
  ['SDP', /\bSDP\b/],
  ['DTLS', /\bDTLS\b/],
  ['sighash', /sighash/i],
  ['mempool', /mempool/i],
  ['merkle', /merkle/i],
  ['base45', /base45/i],
  ['checksum', /checksum/i],
  ['byte counts', /\d+\s*bytes?\b|\bbytes? long\b/i],
  ['exception names', /\b[A-Z][A-Za-z]*(Error|Exception)\b|\bUser-Initiated Abort\b|reason=/],
  ['HTTP status lines', /\bHTTP \d{3}\b/],
  // An example of what to type is written as it is typed.
  // (A short key id such as "02482cfd…aab45f" is hex, not a number: letters or "…" touch it.)
  ['unformatted big numbers', /(?<![\d,.a-f]|for example )\d{5,}(?![\d,a-f…])/],
  ['quoted raw input', /"-?\d[^"]*" is not/],
  // A transaction id is for the Details disclosure, never the main text.
  ['transaction ids', /\b[0-9a-f]{64}\b/i]
]

export function jargonIn (text: string): string[] {
  return JARGON.filter(([, re]) => re.test(text)).map(([name]) => `${name}: ${text}`)
}

