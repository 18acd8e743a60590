/**
 * The in-process locker against the session lock contract.
 */
import { MemoryLocker } from '../../sessions/lock/memory-lock.ts';
import { runLockContract } from './lock-contract.ts';

runLockContract('MemoryLocker', async () => {
  const locker = new MemoryLocker();
  return { locker, cleanup: () => locker.close() };
});
