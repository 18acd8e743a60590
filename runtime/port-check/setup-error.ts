/**
 * A usage or setup error of port-check: an unreadable case file, a folder that does not exist, a server that does
 * not start or answer. The command prints its message and exits 2; a difference between the sides is never one.
 * @module
 */
export class SetupError extends Error {
  override readonly name: string = 'SetupError';
}

/** A command line port-check cannot run: the message is followed by the usage. */
export class UsageError extends SetupError {
  override readonly name = 'UsageError';
}
