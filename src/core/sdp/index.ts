export * from './base45.ts'
export * from './kinds.ts'
export * from './codec.ts'
export * from './choose.ts'
