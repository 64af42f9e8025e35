// Just the part of @thaunknown/simple-peer (lite build) that src/link uses.
declare module '@thaunknown/simple-peer/lite.js' {
  export interface SignalData { type?: string, sdp?: string, candidate?: unknown, renegotiate?: boolean }
  export interface PeerOptions {
    initiator?: boolean
    trickle?: boolean
    config?: RTCConfiguration
    channelConfig?: RTCDataChannelInit
    iceCompleteTimeout?: number
    objectMode?: boolean
  }
  export default class Peer {
    constructor (opts?: PeerOptions)
    readonly connected: boolean
    readonly destroyed: boolean
    readonly bufferSize: number
    _pc: RTCPeerConnection | null
    _channel: RTCDataChannel | null
    /** set once simple-peer stops waiting for candidates (non-trickle) */
    _iceComplete: boolean
    emit (ev: string, ...args: unknown[]): boolean
    signal (data: SignalData | string): void
    send (chunk: Uint8Array | string): void
    destroy (err?: Error): void
    on (ev: 'signal', cb: (d: SignalData) => void): this
    on (ev: 'connect' | 'close' | 'iceTimeout', cb: () => void): this
    on (ev: 'data', cb: (d: Uint8Array) => void): this
    on (ev: 'error', cb: (e: Error & { code?: string }) => void): this
    on (ev: 'iceStateChange', cb: (ice: RTCIceConnectionState, gathering: RTCIceGatheringState) => void): this
    once (ev: string, cb: (...a: never[]) => void): this
    removeAllListeners (ev?: string): this
  }
}
