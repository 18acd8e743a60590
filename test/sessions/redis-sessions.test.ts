import { closeBackends } from '../../sessions/backends.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { runSessionLockSuite } from './session-lock-suite.ts';

describe('sessions on Redis', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await closeBackends();
    await redis.stop();
  });

  runSessionLockSuite('redis', () => ({ 'session.save_path': `tcp://127.0.0.1:${redis.port}` }));
  runSessionLockSuite('redis', () => ({ 'session.save_path': `tcp://127.0.0.1:${redis.port}?prefix=php:`, 'tsfpm.session_redis_format': 'phpredis' }));
});
