/**
 * The real `tsfpm` command in a child process, for tests that need a separate process: signals,
 * crashes (SIGKILL), and several processes sharing one session store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../../runtime/bin.js', import.meta.url));

export interface CliServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in its output (waits up to `ms`). */
  waitForOutput(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `tsfpm <args>` (with `env` added to the environment); resolves with its URL once it prints the banner. */
export function startCli(args: string[], env: Record<string, string> = {}): Promise<CliServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no banner within 15 s:\n${output}`)), 15_000);
    const onExit = (code: number | null) => reject(new Error(`exited ${code}:\n${output}`));
    const onData = (d: Buffer) => {
      output += d;
      const m = /(?:Development|Production) Server \((http:\/\/[^)]+)\) started/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({
          child,
          url: m[1]!,
          output: () => output,
          waitForOutput: (pattern, ms = 10_000) =>
            new Promise((found, fail) => {
              const started = Date.now();
              const look = (): void => {
                const match = pattern.exec(output);
                if (match) return found(match);
                if (Date.now() - started > ms) return fail(new Error(`no output matched ${pattern} within ${ms} ms:\n${output}`));
                setTimeout(look, 25);
              };
              look();
            }),
          stop: (signal = 'SIGINT') =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill(signal);
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', onExit);
  });
}
