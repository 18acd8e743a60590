import { closeBackends, openBackend } from '../../sessions/open-backend.ts';
import { tempDir } from '../support/server.ts';
import { useRedis } from '../support/redis.ts';
import { runStoreContract } from './store-contract.ts';

const settings = { serializeHandler: 'php', gcMaxlifetime: 1440, redisFormat: 'express', log: () => {} } as const;

describe('session stores', () => {
  after(() => closeBackends());

  runStoreContract('memory', () => openBackend({ ...settings, handler: 'memory', savePath: '' }));
  runStoreContract('files', () => openBackend({ ...settings, handler: 'files', savePath: tempDir() }));
  describe('on Redis', () => {
    const redis = useRedis();
    runStoreContract('redis', () => openBackend({ ...settings, handler: 'redis', savePath: `tcp://127.0.0.1:${redis().port}` }));
  });
});
