/**
 * One throwaway `redis-server` process (a data node, a cluster node or a Sentinel) on a free loopback
 * port, in its own temp folder, killed with the test run: the building block of the cluster and
 * Sentinel fixtures. Tests never touch a Redis the machine already runs (6379).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisProcess {
  readonly port: number;
  /** The process's own temp folder (its --dir: nodes.conf, sentinel.conf). */
  readonly dir: string;
  /** Kills the process, waits for it to exit and removes its folder; idempotent. */
  stop(): Promise<void>;
}

/**
 * Runs `redis-server <args>` in a new temp folder holding `files` (name → contents) and resolves once
 * `port` answers PING (5 s at most). `args(dir)` gets that folder.
 */
export async function startRedisProcess(port: number, args: (dir: string) => string[], files: Record<string, string> = {}): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), `tsfpm-redis-${port}-`));
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(dir, name), contents);
  const child = spawn('redis-server', args(dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 5000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server ${args(dir).join(' ')} did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, dir, stop };
}

/** A port nothing listens on right now (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}
