/**
 * Which session.* values PHP 8.2 refuses, with the text of ext/session's OnUpdate handlers. Used at start-up (the
 * settings table), by ini_set() and by session_start()'s options, where PHP warns and keeps the old value.
 *
 * An unknown session.save_handler or session.serialize_handler is accepted at start-up, as PHP accepts it, and
 * makes session_start() fail with PHP's warning (see {@link handlerStartupFailure}).
 * @module
 */
import { parseSerializeHandler } from './serialize/session-codec.ts';

/** The save handlers tsfpm has, by session.save_handler name. `user` is session_set_save_handler()'s. */
export const SAVE_HANDLERS: readonly string[] = Object.freeze(['files', 'memory', 'redis', 'rediscluster']);

/**
 * PHP's complaint about `value` for `name`, or undefined when accepted. `when` is `startup` for the configuration
 * (an unknown handler is let through there) and `runtime` for ini_set() and session_start()'s options.
 */
export function sessionSettingProblem(name: string, value: string, when: 'startup' | 'runtime'): string | undefined {
  switch (name) {
    case 'session.save_handler':
      if (value === 'user') return 'Session save handler "user" cannot be set by ini_set()';
      if (when === 'runtime' && !SAVE_HANDLERS.includes(value)) return `Session save handler "${value}" cannot be found`;
      return undefined;
    case 'session.serialize_handler':
      return when === 'runtime' && parseSerializeHandler(value) === undefined ? `Serialization handler "${value}" cannot be found` : undefined;
    case 'session.name':
      return value === '' || /^\d+$/.test(value) ? `session.name "${value}" cannot be numeric or empty` : undefined;
    case 'session.cookie_lifetime':
      return Number.parseInt(value, 10) < 0 ? 'CookieLifetime cannot be negative' : undefined;
    case 'session.sid_length': {
      const n = Number.parseInt(value, 10);
      return n >= 22 && n <= 256 ? undefined : 'session.configuration "session.sid_length" must be between 22 and 256';
    }
    case 'session.sid_bits_per_character': {
      const n = Number.parseInt(value, 10);
      return n >= 4 && n <= 6 ? undefined : 'session.configuration "session.sid_bits_per_character" must be between 4 and 6';
    }
    default:
      return undefined;
  }
}

/** session_start()'s refusal for a configured handler tsfpm does not have, or undefined. */
export function handlerStartupFailure(saveHandler: string, serializeHandler: string): string | undefined {
  if (!SAVE_HANDLERS.includes(saveHandler) && saveHandler !== 'user') return `Cannot find session save handler "${saveHandler}" - session startup failed`;
  if (parseSerializeHandler(serializeHandler) === undefined) return `Cannot find session serialization handler "${serializeHandler}" - session startup failed`;
  return undefined;
}
