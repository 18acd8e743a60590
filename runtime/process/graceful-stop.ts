/**
 * How a tsfpm process stops, alone or as a worker of `--workers N`: SIGTERM, SIGINT and SIGQUIT all
 * start the graceful stop (the server's close(): no longer accepting, responses finished, background
 * tails given process_control_timeout seconds, then cut), after which the session backends close.
 *
 * PHP-FPM treats SIGTERM and SIGINT as "terminate" (children killed at once) and only SIGQUIT as
 * "graceful"; tsfpm makes the first of any of them graceful, since a tail cut by a kill loses work
 * and holds sessions. A second SIGTERM or SIGINT during the grace period is FPM's terminate: what is
 * still running is cut at once (still through stopRequest, so sessions are written and unlocked). A
 * second SIGQUIT is ignored with a log line, as FPM ignores a signal for a stop already under way.
 * @module
 */
import { closeBackends } from '../../sessions/open-backend.ts';
import type { TsfpmServer } from '../http/server.ts';

export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGQUIT';

export const STOP_SIGNALS: readonly StopSignal[] = ['SIGTERM', 'SIGINT', 'SIGQUIT'];

export interface GracefulStop {
  /**
   * Starts the graceful stop; false when it has started already (a start without `handOver` then
   * still ends a hand-over). `handOver`: other workers go on serving the port (TsfpmServer.close's option).
   */
  start(signal: StopSignal, handOver?: boolean): boolean;
  /** A signal after the first: SIGTERM and SIGINT cut what is left at once, SIGQUIT is logged. */
  again(signal: StopSignal): void;
  /** A process's own signal handler: start() the first time, again() after. */
  signal(signal: StopSignal): void;
  /** Resolves once the server has stopped and the session backends are closed. */
  readonly done: Promise<void>;
}

/** @param who names the process in its stop log lines ('' alone, `[pool www] child 123 ` for a worker) */
export function gracefulStop(server: TsfpmServer, who = ''): GracefulStop {
  const { config } = server;
  const graceSeconds = config.settings.typed.process_control_timeout;
  let started = false;
  let resolveDone: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const stopper: GracefulStop = {
    done,
    start(signal, handOver = false) {
      if (started) {
        if (!handOver) void server.close(graceSeconds * 1000, { handOver });
        return false;
      }
      started = true;
      config.log(`${who}${signal}: stopping gracefully (process_control_timeout = ${graceSeconds} s); SIGTERM or SIGINT again cuts at once`);
      // what the stop awaits may rest on handles that do not keep Node alive (the lockers' renewal timers
      // are unref'd so that a held lock never holds the process): without this, Node would exit mid-stop with 13
      const keepAlive = setInterval(() => {}, 1 << 30);
      void server
        .close(graceSeconds * 1000, { handOver })
        .then(() => closeBackends())
        .catch((err: unknown) => config.log(`tsfpm: error while stopping: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))
        .finally(() => {
          clearInterval(keepAlive);
          resolveDone();
        });
      return true;
    },
    again(signal) {
      if (signal === 'SIGQUIT') {
        config.log(`${who}SIGQUIT: already stopping; still waiting for ${config.pool.live.size} requests (SIGTERM or SIGINT cuts them at once)`);
      } else {
        config.log(`${who}${signal} again: cutting the ${config.pool.live.size} requests still running`);
        void server.close(0);
      }
    },
    signal(signal) {
      if (!stopper.start(signal)) stopper.again(signal);
    },
  };
  return stopper;
}
