/**
 * Waiting in specs: a pause, and polling for a state the spec cannot be told about, bounded so that a broken
 * spec fails naming what it waited for instead of hanging until mocha's timeout.
 */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (a check that throws counts as not yet); throws naming `what` after `ms`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}
