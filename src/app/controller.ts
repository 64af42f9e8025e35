// The app's use cases behind one object the UI renders: onboarding, unlock, auto-lock,
// and an unlocked Wallet kept fresh (sync, outbox, statuses) while the app is open.
import type { Network } from '../core/network.ts'
import { openAppDB, type AppDB } from '../store/db.ts'
import type { Settings } from '../store/records.ts'
import type { VaultSecret } from '../store/vault-crypto.ts'
import { canInvite, loadSettings, saveSettings } from './settings.ts'
import { holdSingleTabLock } from './single-tab.ts'
import type { UpdateState } from './updates.ts'
import type { InstallOption } from './install.ts'
import { changePassphrase, hasVault, unlockVault } from './vault.ts'
import type { Backup } from './backup.ts'
import type { Wallet } from './wallet.ts'
import type { FaceToFace } from './face-to-face.ts'
import { contactFor, listContacts, nameContact, recordPeer, type PeerIdentity } from './contacts.ts'
import type { ContactRecord } from '../store/records.ts'
import { withDetail } from '../core/plain-detail.ts'

export type Phase = 'loading' | 'other-tab' | 'no-storage' | 'onboarding' | 'locked' | 'unlocked'

/** The code an open wallet needs (SDK, BIP39, wallet, backups): not on the way to the first screen. */
type UnlockedCode = typeof import('./unlocked.ts')

const REFRESH_MS = 15_000

export class AppController {
  phase: Phase = 'loading'
  wallet: Wallet | undefined
  settings!: Settings
  /** Last background problem worth showing (sync or network), cleared on success. */
  notice: string | undefined
  /** Phase 'no-storage': why this browser would not open the wallet's storage. */
  storageProblem: string | undefined
  /** A payment target handed to the app from outside (bitcoin: link, protocol handler). */
  pendingUri: string | undefined
  update: UpdateState | undefined
  install: InstallOption = { kind: 'none' }
  /** US dollars per BSV, when shown and known; display only. */
  usdPerBsv: number | undefined
  private db!: AppDB
  private secret: VaultSecret | undefined
  private lastActivity = Date.now()
  private timers: Array<ReturnType<typeof setInterval>> = []
  private readonly listeners = new Set<() => void>()
  /** The browser says there is no network: screens that need it say so instead of waiting. */
  offline = typeof navigator !== 'undefined' && navigator.onLine === false
  private readonly onOnline = (): void => { this.offline = false; this.emit(); void this.wallet?.retryNow().catch(() => undefined) }
  private readonly onOffline = (): void => { this.offline = true; this.emit() }

  /** The face-to-face payment in progress, payer or payee side; loaded on first use (WebRTC, protocol). */
  f2f: FaceToFace | undefined

  private unlockedCode: Promise<UnlockedCode> | undefined

  constructor (readonly origin: string, private readonly dbPrefix = 'handover') {}

  /**
   * Starts loading what an open wallet needs, once; main.ts calls it as soon as the first
   * screen has painted, so it arrives while the person types. A failed load (offline before
   * the service worker had it) is forgotten, so the next try fetches again.
   */
  async preload (): Promise<UnlockedCode> {
    this.unlockedCode ??= import('./unlocked.ts').catch((e: unknown) => {
      this.unlockedCode = undefined
      throw new Error(`Handover could not load the rest of the app (${(e as Error).message}). Check the connection and try again; nothing was changed.`)
    })
    return await this.unlockedCode
  }

  async faceToFace (): Promise<FaceToFace> {
    if (this.f2f === undefined) {
      const { FaceToFace } = await import('./face-to-face.ts')
      this.f2f ??= new FaceToFace(() => this.wallet, () => this.settings, this.origin, () => this.emit())
    }
    return this.f2f
  }

  subscribe (fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private emit (): void { for (const fn of this.listeners) fn() }

  async start (launchUri?: string): Promise<void> {
    this.pendingUri = launchUri
    // On a first visit the lock and the open each wait for the browser to set up this site's
    // storage (~0.1 s on a phone): asked side by side, and the two reads after them too.
    // Opening before the lock is held only reads (or creates the empty stores).
    const opening = openAppDB(this.dbPrefix)
    // Its failure is handled below, after the lock: not an unhandled rejection meanwhile.
    opening.catch(() => undefined)
    if (!await holdSingleTabLock(`${this.dbPrefix}-wallet`)) {
      void opening.then(db => { db.close() }, () => undefined)
      this.phase = 'other-tab'
      this.emit()
      return
    }
    try {
      this.db = await opening
      const [settings, vault] = await Promise.all([loadSettings(this.db), hasVault(this.db)])
      this.settings = settings
      this.phase = vault ? 'locked' : 'onboarding'
    } catch (e) {
      // Storage refused (a private window that allows none, storage turned off, a full disk):
      // say so instead of "Opening wallet…" for ever. Nothing was written, so nothing is lost.
      this.storageProblem = withDetail(
        'This browser would not let Handover open its storage on this phone, so the wallet cannot be opened here. If this is a private window, open Handover in a normal one; check that site data is allowed and the phone has free space, then reload.',
        e instanceof Error ? `${e.name}: ${e.message}` : String(e))
      this.phase = 'no-storage'
    }
    this.emit()
  }

  async newMnemonic (words: 12 | 24 = 12): Promise<string> { return (await this.preload()).newMnemonic(words) }

  async create (mnemonic: string, passphrase: string): Promise<void> {
    const { createVault } = await this.preload()
    this.secret = await createVault(this.db, mnemonic, passphrase)
    this.askPersistentStorage()
    await this.openWallet()
  }

  async restore (mnemonic: string, bip39Passphrase: string, passphrase: string): Promise<void> {
    const { createVault } = await this.preload()
    this.secret = await createVault(this.db, mnemonic, passphrase, bip39Passphrase)
    this.askPersistentStorage()
    await this.openWallet({ restore: true })
  }

  /** Restores from an encrypted backup file; the file's passphrase becomes this device's passphrase. */
  async restoreBackup (fileText: string, passphrase: string): Promise<void> {
    const { createVault, openBackup, settingsFromBackup } = await this.preload()
    const { secret, settings } = await openBackup(fileText, passphrase)
    this.secret = await createVault(this.db, secret.mnemonic, passphrase, secret.bip39Passphrase)
    const restored = settingsFromBackup(settings)
    if (restored !== undefined) { await saveSettings(this.db, restored); this.settings = restored }
    this.askPersistentStorage()
    await this.openWallet({ restore: true })
  }

  async backup (): Promise<Backup> {
    if (this.secret === undefined) throw new Error('Unlock the wallet to back it up.')
    return await (await this.preload()).exportBackup(this.db, this.secret.seedHex)
  }

  async unlock (passphrase: string): Promise<void> {
    // The key derivation (WebCrypto, off the main thread) and the code download run side by
    // side; a wrong passphrase is reported as soon as it is known.
    const [secret] = await Promise.all([unlockVault(this.db, passphrase), this.preload()])
    this.secret = secret
    await this.openWallet()
  }

  lock (): void {
    this.f2f?.endPay()
    this.f2f?.endReceive({ keep: true })
    for (const t of this.timers) clearInterval(t)
    this.timers = []
    removeEventListener('online', this.onOnline)
    removeEventListener('offline', this.onOffline)
    this.wallet?.close()
    this.wallet = undefined
    this.secret = undefined
    this.phase = 'locked'
    this.emit()
  }

  setUpdate (u: UpdateState): void { this.update = u; this.emit() }
  setInstall (o: InstallOption): void { this.install = o; this.emit() }

  takePendingUri (): string | undefined {
    const u = this.pendingUri
    this.pendingUri = undefined
    return u
  }

  async seePeer (identityKey: string): Promise<PeerIdentity> { const p = await recordPeer(this.db, identityKey); this.emit(); return p }
  async nameContact (identityKey: string, name: string, replace = false): Promise<ContactRecord> { const c = await nameContact(this.db, identityKey, name, replace); this.emit(); return c }
  async contacts (): Promise<ContactRecord[]> { return await listContacts(this.db) }
  async contact (identityKey: string): Promise<ContactRecord | undefined> { return await contactFor(this.db, identityKey) }

  /** Any user action keeps the wallet unlocked. */
  touch (): void { this.lastActivity = Date.now() }

  /**
   * The recovery words, only for whoever knows the passphrase: an unlocked phone
   * left on a table must not hand them out. Decrypts the vault again to check.
   */
  /** How many recovery words this wallet has (12 or 24), without showing them; undefined while locked. */
  get recoveryWordCount (): number | undefined { return this.secret?.mnemonic.trim().split(/\s+/).length }

  /** A face-to-face payment is between its steps: leaving the page now would leave the other phone guessing. */
  paymentInFlight (): boolean { return this.f2f?.unfinished() === true }

  async revealMnemonic (passphrase: string): Promise<string> {
    if (this.secret === undefined) throw new Error('Unlock the wallet first.')
    return (await unlockVault(this.db, passphrase)).mnemonic
  }

  async changePassphrase (oldPassphrase: string, newPassphrase: string): Promise<void> {
    await changePassphrase(this.db, oldPassphrase, newPassphrase)
  }

  async updateSettings (next: Settings): Promise<void> {
    const networkChanged = next.network !== this.settings.network
    const endpointsChanged = JSON.stringify(next.endpoints) !== JSON.stringify(this.settings.endpoints)
    await saveSettings(this.db, next)
    this.settings = next
    if (!next.showFiat) this.usdPerBsv = undefined
    else if (this.wallet !== undefined && !networkChanged && !endpointsChanged) void this.refresh()
    if ((networkChanged || endpointsChanged) && this.secret !== undefined) {
      this.wallet?.close()
      this.wallet = undefined
      await this.openWallet()
    }
    this.emit()
  }

  async switchNetwork (network: Network): Promise<void> {
    await this.updateSettings({ ...this.settings, network })
  }

  /** One refresh pass: outbox, sync, statuses. Errors become a notice, never a crash. */
  async refresh (opts: { restore?: boolean, deep?: boolean } = {}): Promise<void> {
    const w = this.wallet
    if (w === undefined) return
    try {
      // Learn the miner's fee policy while online: an offline payee judges fees by it.
      await w.feeRate()
      await w.processOutbox()
      const report = await w.sync(opts)
      await w.refreshStatuses()
      await this.settleSessions(w)
      this.usdPerBsv = this.settings.showFiat ? await w.reader.usdPerBsv().catch(() => this.usdPerBsv) : undefined
      this.notice = report.rejected.length > 0 ? `${report.rejected.length === 1 ? 'A coin' : `${report.rejected.length} coins`} sent to this wallet could not be checked against the blockchain, so ${report.rejected.length === 1 ? 'it is' : 'they are'} not counted yet. Refresh later to check again.` : undefined
    } catch (e) {
      this.notice = (e as Error).message
    }
    this.emit()
  }

  /** Stored sessions follow the ledger; the Receive screen follows its stored session. */
  private async settleSessions (w: Wallet): Promise<void> {
    const { reconcileSessions } = await this.preload()
    if (await reconcileSessions(w.db) > 0) this.emit()
    await this.f2f?.adoptStored()
  }

  private async resumeSessions (w: Wallet): Promise<void> {
    const { openPayeeSession, reconcileSessions, resumeSelfBroadcasts } = await this.preload()
    await reconcileSessions(w.db)
    await resumeSelfBroadcasts(w.db)
    // The protocol code loads only when there is a request to come back to.
    if (await openPayeeSession(w.db) === undefined) return
    const f2f = await this.faceToFace()
    if (this.wallet !== w) return
    // Not awaited: a fresh code may wait seconds for the signalling service.
    void f2f.resumeReceive(canInvite(this.settings, this.origin) ? 'invite' : 'qr').catch(e => { this.notice = (e as Error).message; this.emit() })
  }

  private async openWallet (opts: { restore?: boolean } = {}): Promise<void> {
    const secret = this.secret!
    const { Wallet, seedBytes } = await this.preload()
    this.wallet = await Wallet.open(seedBytes(secret.seedHex), this.settings, this.origin, this.dbPrefix)
    this.wallet.onChange(() => this.emit())
    this.phase = 'unlocked'
    this.lastActivity = Date.now()
    this.emit()
    addEventListener('online', this.onOnline)
    addEventListener('offline', this.onOffline)
    this.timers.push(setInterval(() => { void this.refresh() }, REFRESH_MS))
    this.timers.push(setInterval(() => {
      // Never lock in the middle of handing over a payment.
      if (Date.now() - this.lastActivity > this.settings.lockAfterMinutes * 60_000 && this.f2f?.busy() !== true) this.lock()
    }, 5_000))
    // Sessions a killed page left in between come up to the ledger, and an open request
    // comes back to the Receive screen, before anything is broadcast or synced.
    await this.resumeSessions(this.wallet).catch(e => { this.notice = (e as Error).message })
    // A fresh start retries what was backing off after a failed attempt. A payment still
    // waiting for its payee's answer keeps its due time (the ack deadline): the answer may
    // have been a refusal, and a refused payment is never broadcast by us.
    await this.wallet.retryNow().catch(() => undefined)
    await this.refresh(opts)
  }

  /**
   * Asks the browser to keep our storage (without it, Safari may wipe a site's data after
   * 7 days without a visit, and any browser may clear it when the disk fills). Never
   * awaited: Firefox keeps the promise pending until the person answers its permission
   * prompt, and no wallet flow may hang on that. The onboarding screen explains the prompt.
   */
  private askPersistentStorage (): void {
    try {
      void navigator.storage?.persist?.().catch(() => undefined)
    } catch { /* not fatal: an engine without the Storage API */ }
  }
}
