/**
 * What a port-check run found: every request with both answers and their differences, the masks in use and what
 * was not compared. The terminal, JSON and HTML reports are views of it.
 * @module
 */
import type { Answer } from './compare-exchange.ts';
import type { Difference } from './difference.ts';
import type { MaskEntry } from './masks.ts';

export interface RequestResult {
  readonly sequence: string;
  /** 1-based position in its sequence; steps sent at the same time share it. */
  readonly turn: number;
  readonly method: string;
  readonly target: string;
  readonly php: Answer;
  readonly ts: Answer;
  /** Empty when the port answered the same. */
  readonly differences: readonly Difference[];
  /** The port took more than SLOW_FACTOR times the original's time: flagged, not a difference. */
  readonly slow: boolean;
}

export interface Report {
  readonly php: string;
  readonly ts: string;
  readonly requests: readonly RequestResult[];
  readonly masks: readonly MaskEntry[];
  /** Headers left out of the comparison, and why. */
  readonly notCompared: readonly string[];
  /** Whether session contents were compared (both sides files sessions in folders port-check knows), or why not. */
  readonly sessions: string;
  readonly same: boolean;
}
