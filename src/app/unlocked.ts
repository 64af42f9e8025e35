// What an open wallet needs and the lock screen does not: @bsv/sdk's transaction and script
// stack, BIP39/BIP32, the wallet with sync and outbox, backups, the recovery of stored
// face-to-face sessions. One dynamic import, started by
// AppController.preload() once the first screen has painted, so it downloads and compiles
// while the person types the passphrase (issue 12.2).
import { Utils } from '@bsv/sdk'

export { Wallet } from './wallet.ts'
export { createVault, newMnemonic } from './vault-create.ts'
export { exportBackup, openBackup, settingsFromBackup } from './backup.ts'
export { openPayeeSession, reconcileSessions, resumeSelfBroadcasts } from './session-recovery.ts'

export function seedBytes (seedHex: string): number[] { return Utils.toArray(seedHex, 'hex') }
