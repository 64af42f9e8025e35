// Proof that the recovery words were written down: the person types back a few of them,
// chosen at random, before the wallet is created.

/** Three distinct word positions (0-based, ascending) drawn from the random bytes handed in. */
export function pickCheckPositions (wordCount: number, random: Uint8Array, count = 3): number[] {
  const picked = new Set<number>()
  for (let i = 0; picked.size < Math.min(count, wordCount) && i < random.length; i++) picked.add(random[i]! % wordCount)
  for (let p = 0; picked.size < Math.min(count, wordCount); p++) picked.add(p)
  return [...picked].sort((a, b) => a - b)
}

/** True when every answer matches its word (spacing and case do not matter). */
export function backupAnswersMatch (mnemonic: string, positions: number[], answers: string[]): boolean {
  const words = mnemonic.trim().split(/\s+/)
  return positions.length > 0 && positions.every((p, i) => (answers[i] ?? '').trim().toLowerCase() === words[p])
}
