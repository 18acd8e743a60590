/**
 * A throwaway Sentinel setup for tests: a master, one replica of it and one Sentinel watching the
 * master as `mymaster` (quorum 1), all on free loopback ports with nothing persisted; ready once the
 * Sentinel knows the master and an in-sync replica, so a failover can be forced.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort, startRedisProcess, type RedisProcess } from './redis-process.ts';
import { waitUntil } from './wait.ts';

const run = promisify(execFile);

export interface TestRedisSentinel {
  /** The master's name in the Sentinel. */
  readonly name: string;
  readonly sentinelPort: number;
  /** The two data nodes' ports: [the first master, its replica]. */
  readonly dataPorts: readonly [number, number];
  /** `redis-cli -p <port> <args>`, the reply as text. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The port the Sentinel names as master right now. */
  masterPort(): Promise<number>;
  /** Has the Sentinel promote the replica (SENTINEL FAILOVER) and resolves once it names the new master. */
  failover(): Promise<number>;
  /** Kills every process; idempotent. */
  stop(): Promise<void>;
}

export async function startRedisSentinel(): Promise<TestRedisSentinel> {
  const name = 'mymaster';
  const processes: RedisProcess[] = [];
  const stop = async () => void (await Promise.all(processes.splice(0).map((p) => p.stop())));
  const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-p', String(port), ...args], { timeout: 5000 })).stdout.trim();
  const dataNode = (port: number, ...more: string[]) => (dir: string) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...more];
  try {
    const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
    // a replica's first sync otherwise waits 5 s for more replicas to join it
    processes.push(await startRedisProcess(masterPort, dataNode(masterPort, '--repl-diskless-sync-delay', '0')));
    processes.push(await startRedisProcess(replicaPort, dataNode(replicaPort, '--replicaof', '127.0.0.1', String(masterPort))));
    const conf = [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 5000`,
      `sentinel failover-timeout ${name} 10000`,
      '',
    ].join('\n');
    // Sentinel rewrites its config file, so it lives in the process's own folder
    processes.push(await startRedisProcess(sentinelPort, (dir) => [`${dir}/sentinel.conf`, '--sentinel', '--dir', dir], { 'sentinel.conf': conf }));

    const masterNow = async () => Number((await cli(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)).split('\n')[1]);
    await waitUntil('the replica in sync', async () => (await cli(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'));
    await waitUntil('the Sentinel to see the replica', async () => {
      const replicas = await cli(sentinelPort, 'SENTINEL', 'REPLICAS', name);
      return replicas.includes(String(replicaPort)) && /^slave$/m.test(replicas);
    });
    return {
      name,
      sentinelPort,
      dataPorts: [masterPort, replicaPort],
      cli,
      masterPort: masterNow,
      failover: async () => {
        const before = await masterNow();
        // NOGOODSLAVE until the Sentinel has the replica's replication state
        await waitUntil('the Sentinel to start a failover', async () => /^(OK|INPROG)/.test(await cli(sentinelPort, 'SENTINEL', 'FAILOVER', name)));
        let after = before;
        await waitUntil('the Sentinel to name a new master', async () => (after = await masterNow()) !== before);
        await waitUntil('the new master to accept writes', async () => (await cli(after, 'INFO', 'replication')).includes('role:master'));
        return after;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
