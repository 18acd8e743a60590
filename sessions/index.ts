/**
 * `tsfpm/sessions`: PHP sessions' building blocks for use outside the runtime — the stores and
 * lockers (to share sessions with an Express app, or to plug another express-session store into a
 * backend), PHP's serialize formats, and session IDs. No logic lives here.
 * @module
 */
export { createBackend, type SessionBackend, type SessionData, type StoredCookie, type StoreCapabilities } from './backend.ts';
export { closeBackends, openBackend, type BackendSettings } from './open-backend.ts';
export { parseRedisSavePath } from './redis/redis-client.ts';
export { cacheLimiterHeaders } from './cache-limiter.ts';
export { FileLocker, type FileLockerOptions } from './files/file-lock.ts';
export { FilesStore, InvalidSessionIdError, parseSavePath, type FilesStoreOptions } from './files/files-store.ts';
export { classifyClientId, createSessionId, INVALID_ID_MESSAGE, isValidSessionId } from './id.ts';
export { checkLockOptions, type AcquireResult, type HeldLock, type LockOptions, type SessionLocker } from './lock/contract.ts';
export { MemoryLocker } from './lock/memory-lock.ts';
export { serialize } from './serialize/php-serialize.ts';
export { PhpUnserializeError, unserialize } from './serialize/php-unserialize.ts';
export { PhpCustomObject, PhpEnum, PhpFloat, PhpObject, type PhpValue, type PhpRecord } from './serialize/php-values.ts';
export { RedisLocker, type RedisLockerOptions } from './redis/redis-lock.ts';
export { RedisSessionStore, lockKeyFor, type RedisSessionFormat, type RedisSessionStoreOptions } from './redis/redis-store.ts';
export { decodeSession, encodeSession, SessionDecodeError, type SessionSerializeHandler } from './serialize/session-codec.ts';
export { PHP_SESSION_ACTIVE, PHP_SESSION_DISABLED, PHP_SESSION_NONE, PhpSession, type SessionHost } from './session.ts';
export { createUserBackend, type SessionHandlerInterface, type UserBackendOptions } from './user-handler.ts';
