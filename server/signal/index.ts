export { attachSignalling, clientAddress, trustProxyHops, type SignallingHandle, type SignallingOptions } from './service.ts'
export { MemoryRooms, RedisRooms, type RoomBackend } from './rooms.ts'
