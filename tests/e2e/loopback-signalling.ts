/**
 * Signalling for tests: every phone of a test shares one loopback address, so the per-address
 * room limit (meant for one person's phone) is raised; tests of the limits set their own.
 */
export const LOOPBACK_SIGNALLING = { roomOpsPerMinute: 6000 } as const
