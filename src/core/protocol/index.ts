// Public surface of the payment protocol: messages, verification, session machines.
export * from './result.ts'
export * from './reasons.ts'
export * from './messages.ts'
export * from './verify-payment.ts'
export * from './broadcast-outcome.ts'
export * from './payer-machine.ts'
export * from './payee-machine.ts'
export * from './bounded-reader.ts'
