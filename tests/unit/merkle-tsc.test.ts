// WhatsOnChain serves merkle proofs as TSC (index + sibling hashes); the wallet turns them
// into BRC-74 merkle paths. Checked on blocks of many shapes, against roots computed by
// wallet-toolbox's own block builder.
import { describe, expect, it } from 'vitest'
import { Hash, Utils } from '@bsv/sdk'
import { computeMerklePath, computeMerkleRoot } from '@bsv/wallet-toolbox/out/src/mockchain/merkleTree.js'
import { merklePathFromTsc } from '../../src/chain/chain-reader.ts'
import { tscFromPath } from '../../server/devnet/http.ts'

const txid = (i: number): string => Utils.toHex(Hash.sha256(Utils.toArray(`tx ${i}`, 'utf8')))

describe('TSC proofs to merkle paths', () => {
  for (const size of [1, 2, 3, 5, 7, 8, 13]) {
    it(`prove every transaction of a ${size}-transaction block`, () => {
      const ids = Array.from({ length: size }, (_, i) => txid(i + size * 100))
      const root = computeMerkleRoot(ids)
      for (let index = 0; index < size; index++) {
        const bump = computeMerklePath(ids, index, 800_000 + size)
        const tsc = tscFromPath(ids[index]!, bump.toHex(), 'ab'.repeat(32))
        expect(tsc.index).toBe(index)
        const path = merklePathFromTsc(ids[index]!, tsc.index, tsc.nodes, 800_000 + size)
        expect(path.computeRoot(ids[index]!)).toBe(root)
        expect(path.blockHeight).toBe(800_000 + size)
      }
    })
  }

  it('a wrong sibling gives a different root, so SPV rejects it', () => {
    const ids = Array.from({ length: 6 }, (_, i) => txid(i))
    const tsc = tscFromPath(ids[2]!, computeMerklePath(ids, 2, 1).toHex(), 'ab'.repeat(32))
    tsc.nodes[1] = 'cd'.repeat(32)
    expect(merklePathFromTsc(ids[2]!, tsc.index, tsc.nodes, 1).computeRoot(ids[2]!)).not.toBe(computeMerkleRoot(ids))
  })
})
