/**
 * A throwaway redis-server for tests, on a free loopback port, with nothing persisted: tests never
 * touch a Redis the machine already runs (6379).
 */
import { closeBackends } from '../../sessions/open-backend.ts';
import { freePort, startRedisProcess } from './redis-process.ts';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server and waits for it to exit; idempotent. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on 127.0.0.1 (on `port`, to bring a stopped one back) and resolves once it answers PING. */
export async function startRedis(port?: number): Promise<TestRedis> {
  const chosen = port ?? (await freePort());
  const server = await startRedisProcess(chosen, (dir) => ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
  return { url: `redis://127.0.0.1:${chosen}`, port: chosen, stop: () => server.stop() };
}

/**
 * A Redis for the enclosing mocha block: started before its tests, and after them the session backends the
 * tests opened are closed before the server stops. Call the result inside a test or hook for the server.
 */
export function useRedis(): () => TestRedis {
  let redis: TestRedis | undefined;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await closeBackends();
    await redis?.stop();
  });
  return () => redis!;
}
