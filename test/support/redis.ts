/**
 * A throwaway redis-server for tests, on a free loopback port, with nothing persisted: tests never
 * touch a Redis the machine already runs (6379).
 */
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
