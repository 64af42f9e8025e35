// Rejection codes travel on the wire inside `ack` messages, so they are plain strings
// that stay stable across versions; the human text is local and may change freely.
export const ReasonCode = {
  MALFORMED: 'MALFORMED',
  TOO_LARGE: 'TOO_LARGE',
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  WRONG_NETWORK: 'WRONG_NETWORK',
  EXPIRED: 'EXPIRED',
  WRONG_OUTPUT: 'WRONG_OUTPUT',
  WRONG_AMOUNT: 'WRONG_AMOUNT',
  INSUFFICIENT_FEE: 'INSUFFICIENT_FEE',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  MISSING_ANCESTRY: 'MISSING_ANCESTRY',
  BAD_PROOF: 'BAD_PROOF',
  NON_FINAL: 'NON_FINAL',
  DUPLICATE: 'DUPLICATE',
  DOUBLE_SPEND: 'DOUBLE_SPEND',
  BROADCAST_REJECTED: 'BROADCAST_REJECTED',
  TOO_COSTLY: 'TOO_COSTLY',
  UNSAFE_SIGHASH: 'UNSAFE_SIGHASH',
  PROOFS_UNAVAILABLE: 'PROOFS_UNAVAILABLE',
  // Local to the payer; listed here so every error the UI shows has one catalogue.
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  SIGN_FAILED: 'SIGN_FAILED',
  PROTOCOL_VIOLATION: 'PROTOCOL_VIOLATION'
} as const

export type ReasonCode = typeof ReasonCode[keyof typeof ReasonCode]

export const REASON_CODES: readonly ReasonCode[] = Object.values(ReasonCode)

export interface ReasonText {
  /** What happened, in words a person at a shop counter understands. */
  readonly what: string
  /** What to do about it. */
  readonly todo: string
}

const TEXT: Readonly<Record<ReasonCode, ReasonText>> = {
  MALFORMED: {
    what: 'The payment could not be read: the other wallet sent data in a format this app does not understand.',
    todo: 'Ask the payer to update their wallet app and try again.'
  },
  TOO_LARGE: {
    what: 'The payment was too large to check safely (too much data or too long a chain of unconfirmed transactions).',
    todo: 'Ask the payer to pay from confirmed coins, or wait until their earlier payments are mined.'
  },
  UNKNOWN_REQUEST: {
    what: 'The payment refers to a request this wallet did not make or no longer has.',
    todo: 'Create a new payment request and let the payer scan it again.'
  },
  WRONG_NETWORK: {
    what: 'The two wallets are on different networks (for example mainnet and testnet).',
    todo: 'Switch both wallets to the same network and start again.'
  },
  EXPIRED: {
    what: 'The payment request has expired.',
    todo: 'Create a new payment request; no money has moved.'
  },
  WRONG_OUTPUT: {
    what: 'The transaction does not pay to the address that was requested.',
    todo: 'No money has moved to you. Ask the payer to scan the request again.'
  },
  WRONG_AMOUNT: {
    what: 'The transaction pays less than the requested amount.',
    todo: 'No money has moved. Check the amount with the payer and let them pay again.'
  },
  INSUFFICIENT_FEE: {
    what: 'The transaction fee is too low for miners to accept it.',
    todo: 'Ask the payer to pay again; their wallet should add a higher fee.'
  },
  INVALID_SIGNATURE: {
    what: 'The transaction is not validly signed, so miners would reject it.',
    todo: 'Do not hand over goods. Ask the payer to pay again from a working wallet.'
  },
  MISSING_ANCESTRY: {
    what: 'The payment does not include the earlier transactions needed to check where the coins came from.',
    todo: 'Ask the payer to pay again; their wallet must send the history of its coins with the payment.'
  },
  BAD_PROOF: {
    what: 'The proof that the payer\'s coins exist does not match the blockchain.',
    todo: 'Do not hand over goods. The coins may not exist; ask for another payment.'
  },
  NON_FINAL: {
    what: 'The transaction is time-locked and cannot be mined yet, so it could be replaced.',
    todo: 'Ask the payer to pay again with an ordinary, final transaction.'
  },
  DUPLICATE: {
    what: 'This payment was already received or the request is already paid.',
    todo: 'Nothing to do: check the payment history for the earlier payment.'
  },
  DOUBLE_SPEND: {
    what: 'The coins in this transaction were spent elsewhere, so it will not be mined.',
    todo: 'Treat this payment as not received and ask for another payment.'
  },
  BROADCAST_REJECTED: {
    what: 'The miner refused the transaction.',
    todo: 'Treat this payment as not completed; the coins were released. Try paying again.'
  },
  TOO_COSTLY: {
    what: 'The payment was too expensive to check: its scripts would keep this phone busy far too long.',
    todo: 'Do not hand over goods. Ask the payer to pay from ordinary coins (a standard wallet address).'
  },
  UNSAFE_SIGHASH: {
    what: 'The payment\'s signatures do not cover the whole transaction, so anyone who sees it could redirect the money before it is mined.',
    todo: 'Do not hand over goods. Ask the payer to pay again from a standard wallet.'
  },
  PROOFS_UNAVAILABLE: {
    what: 'This phone is online but could not check the payer\'s coins against the blockchain: the chain data service is busy or failing.',
    todo: 'Nothing was accepted and no money moved. Try the payment again in a minute; if it keeps failing, check the chain data setting.'
  },
  INSUFFICIENT_FUNDS: {
    what: 'This wallet does not hold enough coins to pay this amount and the fee.',
    todo: 'Receive more coins or ask for a smaller amount; nothing was sent.'
  },
  SIGN_FAILED: {
    what: 'The wallet could not build or sign the payment.',
    todo: 'Nothing was sent and no coins were used. Try again; if it keeps failing, restart the app.'
  },
  PROTOCOL_VIOLATION: {
    what: 'The other wallet answered with something that does not fit this payment.',
    todo: 'Your payment is kept safe; it will be broadcast by this wallet if the other side does not.'
  }
}

export function describeReason (code: ReasonCode): ReasonText {
  return TEXT[code]
}

/** One line that says what happened and what to do. */
export function reasonMessage (code: ReasonCode): string {
  const t = TEXT[code]
  return `${t.what} ${t.todo}`
}

export function isReasonCode (s: string): s is ReasonCode {
  return Object.prototype.hasOwnProperty.call(TEXT, s)
}
