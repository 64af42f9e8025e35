import { ATOMIC_BEEF, BEEF_V1, BEEF_V2 } from '@bsv/sdk'
import { BoundedReader } from './bounded-reader.ts'

/**
 * A pre-pass over the BUMPs of a BEEF, before the SDK parses it. The SDK's MerklePath
 * constructor recomputes the root for every leaf with a linear search per level, so a
 * single hostile BUMP with a few thousand leaves costs minutes of CPU. Counting the
 * leaves first, in linear time, keeps that cost bounded.
 */

export interface BumpLimits {
  readonly maxBumps: number
  /** Leaves at level 0 (txids and their siblings) in one BUMP. */
  readonly maxBumpLevel0Leaves: number
  /** Leaves over all levels of one BUMP. */
  readonly maxBumpLeaves: number
  /** Level-0 leaves over all BUMPs: the cost grows with the square of each BUMP's count. */
  readonly maxLevel0LeavesTotal: number
}


export type BumpScan = { readonly ok: true } | { readonly ok: false, readonly tooLarge: boolean, readonly detail: string }

export function scanBumps (bytes: Uint8Array, limits: BumpLimits): BumpScan {
  try {
    const r = new BoundedReader(bytes)
    let version = r.readUInt32LE()
    if (version === ATOMIC_BEEF) {
      r.read(32)
      version = r.readUInt32LE()
    }
    if (version !== BEEF_V1 && version !== BEEF_V2) return { ok: false, tooLarge: false, detail: 'not a BEEF (bad version)' }
    const left = (): number => r.size - r.pos
    const nBumps = r.readVarIntNum(false)
    // A count the remaining bytes cannot hold is a lie, not a large payment.
    if (nBumps > left()) return { ok: false, tooLarge: false, detail: `claims ${nBumps} merkle paths in ${left()} bytes` }
    if (nBumps > limits.maxBumps) return { ok: false, tooLarge: true, detail: `${nBumps} merkle paths, limit ${limits.maxBumps}` }
    let level0Total = 0
    for (let b = 0; b < nBumps; b++) {
      r.readVarIntNum(false) // block height
      const treeHeight = r.readUInt8()
      let total = 0
      for (let level = 0; level < treeHeight; level++) {
        const nLeaves = r.readVarIntNum(false)
        if (nLeaves * 2 > left()) return { ok: false, tooLarge: false, detail: `merkle path ${b} claims ${nLeaves} leaves in ${left()} bytes` }
        if (level === 0) {
          if (nLeaves > limits.maxBumpLevel0Leaves) {
            return { ok: false, tooLarge: true, detail: `merkle path ${b} has ${nLeaves} leaves at level 0, limit ${limits.maxBumpLevel0Leaves}` }
          }
          level0Total += nLeaves
          if (level0Total > limits.maxLevel0LeavesTotal) {
            return { ok: false, tooLarge: true, detail: `more than ${limits.maxLevel0LeavesTotal} proven leaves in all merkle paths` }
          }
        }
        total += nLeaves
        if (total > limits.maxBumpLeaves) {
          return { ok: false, tooLarge: true, detail: `merkle path ${b} has more than ${limits.maxBumpLeaves} leaves` }
        }
        for (let i = 0; i < nLeaves; i++) {
          r.readVarIntNum(false) // offset
          const flags = r.readUInt8()
          if ((flags & 1) === 0) r.read(32)
        }
      }
    }
    return { ok: true }
  } catch (e) {
    return { ok: false, tooLarge: false, detail: e instanceof Error ? e.message : String(e) }
  }
}
