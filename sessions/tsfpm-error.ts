/**
 * The base of every error tsfpm throws on purpose, each with a stable `code` (php-compat.md lists them all;
 * runtime/php/errors.ts holds the runtime's part of the catalog). It lives here, below the runtime, because
 * sessions/ imports nothing from runtime/ and its stores and codecs throw coded errors too.
 * @module
 */
export class TsfpmError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
