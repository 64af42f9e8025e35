/**
 * A payer paying by codes waits this long for the payee's ack before its outbox broadcasts
 * the payment itself: longer than over a link, since the payee films a moving code and the
 * payer then turns its camera to the answer. The payee is paid exactly once either way.
 * Its own module: the payee's session recovery needs it without loading the camera code.
 */
export const CAMERA_ACK_TIMEOUT_SEC = 120
