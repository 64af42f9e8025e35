export * from './base45.ts'
export * from './kinds.ts'
export * from './codec.ts'
