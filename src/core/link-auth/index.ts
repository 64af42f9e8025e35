export * from './binding.ts'
export * from './invite.ts'
export * from './relay-keys.ts'
