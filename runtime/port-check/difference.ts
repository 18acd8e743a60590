/** One way a port's answer differs from the original's: the field, and its value on each side. */
export interface Difference {
  /** `status`, `reason`, `header Content-Type`, `header order`, `Set-Cookie PHPSESSID: path`, `body`, `session cart` … */
  readonly field: string;
  readonly php: string;
  readonly ts: string;
  /** For bodies: a unified diff of the compared texts (after masks and normalisation). */
  readonly diff?: string;
}

/** How a value that one side does not have is shown. */
export const ABSENT = '(absent)';
