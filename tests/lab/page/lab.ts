// A lab "phone": the e2e link harness (the app's real src/link code on window.h) plus the
// app's own choice of STUN/TURN servers (src/app/ice-servers.ts), so each attempt fetches
// short-lived TURN credentials from the signalling service exactly as the app does.
import '../../e2e/link-harness/harness.ts'
import { forgetServiceIceServers, iceServersForLink } from '../../../src/app/ice-servers.ts'

const lab = {
  async ice (signalUrl: string): Promise<RTCIceServer[]> {
    forgetServiceIceServers()
    return await iceServersForLink([], signalUrl, { online: true })
  }
}
export type LabApi = typeof lab
;(window as unknown as { lab: LabApi }).lab = lab
