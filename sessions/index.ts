/**
 * `tsfpm/sessions`: PHP sessions' building blocks for use outside the runtime — the stores and
 * lockers (to share sessions with an Express app, or to plug another express-session store into a
 * backend), PHP's serialize formats, and session IDs. No logic lives here.
 * @module
 */
export { createBackend, type SessionBackend, type SessionData, type StoredCookie, type StoreCapabilities } from './backend.ts';
export { closeBackends, openBackend, type BackendSettings } from './backends.ts';
export { parseRedisSavePath } from './redis-client.ts';
export { cacheLimiterHeaders } from './cache-limiter.ts';
export { FileLocker, type FileLockerOptions } from './file-lock.ts';
export { FilesStore, InvalidSessionIdError, parseSavePath, type FilesStoreOptions } from './files-store.ts';
export { classifyClientId, createSessionId, INVALID_ID_MESSAGE, isValidSessionId } from './id.ts';
export { checkLockOptions, type AcquireResult, type HeldLock, type LockOptions, type SessionLocker } from './lock.ts';
export { MemoryLocker } from './memory-lock.ts';
export { serialize } from './php-serialize.ts';
export { PhpUnserializeError, unserialize } from './php-unserialize.ts';
export { PhpCustomObject, PhpEnum, PhpFloat, PhpObject, type PhpValue, type PhpRecord } from './php-values.ts';
export { RedisLocker, type RedisLockerOptions } from './redis-lock.ts';
export { RedisSessionStore, lockKeyFor, type RedisSessionFormat, type RedisSessionStoreOptions } from './redis-store.ts';
export { decodeSession, encodeSession, SessionDecodeError, type SessionSerializeHandler } from './session-codec.ts';
export { PHP_SESSION_ACTIVE, PHP_SESSION_DISABLED, PHP_SESSION_NONE, PhpSession, type SessionHost } from './session.ts';
export { createUserBackend, type SessionHandlerInterface, type UserBackendOptions } from './user-handler.ts';
