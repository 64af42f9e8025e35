// SPV ChainTracker backed by block headers we fetched and cached: a merkle root is
// valid only if it is the root of the header at that height.
import type { ChainTracker } from '@bsv/sdk'
import type { BlockHeaderInfo, ChainReader } from './chain-reader.ts'

export interface HeaderCache {
  get: (height: number) => Promise<BlockHeaderInfo | undefined>
  put: (header: BlockHeaderInfo) => Promise<void>
}

export class HeaderChainTracker implements ChainTracker {
  constructor (private readonly reader: ChainReader, private readonly cache: HeaderCache) {}

  async isValidRootForHeight (root: string, height: number): Promise<boolean> {
    let header = await this.cache.get(height)
    if (header === undefined) {
      header = await this.reader.header(height)
      if (header === undefined) return false
      await this.cache.put(header)
    }
    return header.merkleRoot === root
  }

  async currentHeight (): Promise<number> {
    return await this.reader.height()
  }
}
