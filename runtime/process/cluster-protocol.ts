/**
 * The IPC messages between the primary of `--workers N` (cluster-primary.ts) and its workers
 * (cluster-worker.ts). Every message carries `tsfpm`, so the cluster's and prom-client's own
 * messages on the same channel are told apart.
 *
 * The pool-wide status and metrics: a worker asks the primary to `gather` every other worker's
 * part; the primary sends each a `report`, collects the `reported` parts for at most GATHER_MS
 * (a worker that does not answer is left out and logged) and answers `gathered`.
 * @module
 */
import type { StopSignal } from './graceful-stop.ts';

/** How long the primary waits for the workers' parts of a status page or metrics. */
export const GATHER_MS = 1000;

/** What one worker contributes to the pool-wide view. */
export type PartKind = 'snapshot' | 'metrics';

export type ToWorker =
  /**
   * A stop signal the primary received (`again` from the second on), or SIGQUIT with `handOver`
   * when the worker is being replaced and the others go on serving.
   */
  | { tsfpm: 'signal'; signal: StopSignal; handOver: boolean; again: boolean }
  | { tsfpm: 'report'; id: number; kind: PartKind }
  | { tsfpm: 'gathered'; id: number; parts: unknown[] };

export type ToPrimary =
  /** The worker has stopped accepting (its stop started). */
  | { tsfpm: 'draining' }
  /** The worker has served pm.max_requests requests: fork its replacement, then stop it. */
  | { tsfpm: 'max-requests'; served: number }
  | { tsfpm: 'gather'; id: number; kind: PartKind }
  | { tsfpm: 'reported'; id: number; part: unknown };

export function isMessage<T extends { tsfpm: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { tsfpm?: unknown }).tsfpm === 'string';
}
