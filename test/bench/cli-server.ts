/**
 * The tsfpm CLI as a benchmark server: started on a free loopback port, its log in a temp folder,
 * stopped with its workers at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/redis-process.ts';
import { tempDir } from '../support/server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CliServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logDir: string;
}


/**
 * `node runtime/bin.js -S 127.0.0.1:PORT -t DOCROOT [extra]`, its log (an access line
 * per request, as the CLI writes) in a temp folder removed at the stop; resolves once it answers.
 */
export async function launchCli(docroot: string, extra: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliServer> {
  const port = await freePort();
  const logDir = tempDir({}, 'tsfpm-bench-cli-');
  const log = join(logDir, 'server.log');
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, [join(root, 'runtime/bin.js'), '-S', `127.0.0.1:${port}`, '-t', docroot, ...extra], { stdio: ['ignore', 'ignore', fd], env });
  closeSync(fd);
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/hello.ts`);
      await res.text();
      if (res.status === 200) return { child, port, logDir };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = readFileSync(log, 'utf8').slice(-2000);
  await stopCli({ child, port, logDir });
  throw new Error(`tsfpm ${extra.join(' ')} did not answer on port ${port}:\n${tail}`);
}

/** Stops a CLI server and its workers (SIGTERM, then SIGKILL after 5 s) and removes its log. */
export async function stopCli(server: CliServer): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) {
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(server.logDir, { recursive: true, force: true });
}

