/**
 * A throwaway Redis Cluster for tests: three masters, no replicas, on free loopback ports (client and
 * bus), nothing persisted, created with `redis-cli --cluster create` and ready once every node
 * reports `cluster_state:ok`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, startRedisProcess, type RedisProcess } from './redis-process.ts';
import { waitUntil } from './wait.ts';

const run = promisify(execFile);

export interface TestRedisCluster {
  /** The masters' client ports. */
  readonly ports: readonly number[];
  /** `redis-cli -p <port> <args>` against the first node, its reply as text. */
  cli(...args: string[]): Promise<string>;
  /** Kills every node; idempotent. */
  stop(): Promise<void>;
}

/** Starts three cluster-enabled redis-servers and joins them into one cluster covering all 16384 slots. */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const nodes: RedisProcess[] = [];
  const stop = async () => void (await Promise.all(nodes.splice(0).map((node) => node.stop())));
  try {
    for (let i = 0; i < 3; i++) {
      // the bus port defaults to port + 10000, which may be taken or out of range: pick one too
      const [port, busPort] = [await freePort(), await freePort()];
      nodes.push(
        await startRedisProcess(port, (dir) => [
          '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes', '--cluster-config-file', `${dir}/nodes-${port}.conf`, '--cluster-node-timeout', '2000',
          '--save', '', '--appendonly', 'no', '--dir', dir,
        ]),
      );
    }
    const ports = nodes.map((node) => node.port);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 });
    for (const port of ports) {
      await waitUntil(`cluster_state:ok on ${port}`, async () => (await run('redis-cli', ['-p', String(port), 'CLUSTER', 'INFO'])).stdout.includes('cluster_state:ok'));
    }
    return {
      ports,
      cli: async (...args) => (await run('redis-cli', ['-p', String(ports[0]), '-c', ...args])).stdout.trim(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
