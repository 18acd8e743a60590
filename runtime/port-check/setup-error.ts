/**
 * A usage or setup error of port-check: an unreadable case file, a folder that does not exist, a server that does
 * not start or answer. The command prints its message and exits 2; a difference between the sides is never one.
 * @module
 */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}
