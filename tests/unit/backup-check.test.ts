import { describe, expect, it } from 'vitest'
import { backupAnswersMatch, pickCheckPositions } from '../../src/core/backup-check.ts'

const words = 'legal winner thank year wave sausage worth useful legal winner thank yellow'

describe('backup word check', () => {
  it('asks three distinct positions in order', () => {
    expect(pickCheckPositions(12, Uint8Array.from([5, 5, 17, 200, 3]))).toEqual([3, 5, 8])
    expect(pickCheckPositions(12, new Uint8Array(0))).toEqual([0, 1, 2])
  })
  it('accepts the right words in any case, refuses a wrong or missing one', () => {
    expect(backupAnswersMatch(words, [0, 5, 11], ['Legal', ' sausage ', 'YELLOW'])).toBe(true)
    expect(backupAnswersMatch(words, [0, 5, 11], ['legal', 'sausage', 'year'])).toBe(false)
    expect(backupAnswersMatch(words, [0, 5, 11], ['legal', 'sausage'])).toBe(false)
    expect(backupAnswersMatch(words, [], [])).toBe(false)
  })
})
