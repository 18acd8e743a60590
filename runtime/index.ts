/**
 * The package `tsfpm`: PHP's request API for TypeScript scripts, and the servers that run them.
 *
 * Every PHP name here resolves to the current request through AsyncLocalStorage, so
 * `import { $_POST, echo } from 'tsfpm'` works in any script and in the callbacks it starts.
 * No logic lives here: only the bindings.
 * @module
 */
import { requireRequest } from './request/current-request.ts';
import { currentRequestFunction as bind, type PhpApi } from './api/php-api.ts';

/** An object that stands for the current request's superglobal `name`. */
function superglobal<K extends '$_GET' | '$_POST' | '$_COOKIE' | '$_FILES' | '$_SERVER' | '$_ENV' | '$_REQUEST' | '$_SESSION'>(name: K): PhpApi[K] {
  const target = (): object => requireRequest(name).vars[name];
  return new Proxy(Object.create(null) as PhpApi[K], {
    get: (_, key) => Reflect.get(target(), key),
    set: (_, key, value) => Reflect.set(target(), key, value),
    has: (_, key) => Reflect.has(target(), key),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), key);
      return d && { ...d, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(target(), key, descriptor),
  });
}

// Superglobals
export const $_GET = superglobal('$_GET');
export const $_POST = superglobal('$_POST');
export const $_COOKIE = superglobal('$_COOKIE');
export const $_FILES = superglobal('$_FILES');
export const $_SERVER = superglobal('$_SERVER');
export const $_ENV = superglobal('$_ENV');
export const $_REQUEST = superglobal('$_REQUEST');
export const $_SESSION = superglobal('$_SESSION');

// Output
export const echo = bind('echo');
export const print = bind('print');
export const ob_start = bind('ob_start');
export const ob_get_contents = bind('ob_get_contents');
export const ob_get_length = bind('ob_get_length');
export const ob_get_level = bind('ob_get_level');
export const ob_flush = bind('ob_flush');
export const ob_clean = bind('ob_clean');
export const ob_end_flush = bind('ob_end_flush');
export const ob_end_clean = bind('ob_end_clean');
export const ob_get_clean = bind('ob_get_clean');
export const ob_get_flush = bind('ob_get_flush');
export const ob_get_status = bind('ob_get_status');
export const ob_list_handlers = bind('ob_list_handlers');
export const flush = bind('flush');

// Headers and cookies
export const header = bind('header');
export const header_remove = bind('header_remove');
export const headers_list = bind('headers_list');
export const headers_sent = bind('headers_sent');
export const http_response_code = bind('http_response_code');
export const setcookie = bind('setcookie');
export const setrawcookie = bind('setrawcookie');

// Lifecycle, errors, settings
export const fastcgi_finish_request = bind('fastcgi_finish_request');
export const register_shutdown_function = bind('register_shutdown_function');
export const exit = bind('exit');
export const die = bind('die');
export const ignore_user_abort = bind('ignore_user_abort');
export const connection_aborted = bind('connection_aborted');
export const connection_status = bind('connection_status');
export const set_time_limit = bind('set_time_limit');
export const error_log = bind('error_log');
export const trigger_error = bind('trigger_error');
export const error_get_last = bind('error_get_last');
export const error_reporting = bind('error_reporting');
export const ini_get = bind('ini_get');
export const ini_set = bind('ini_set');
export const ini_restore = bind('ini_restore');
export const php_sapi_name = bind('php_sapi_name');

// Request input and uploads
export const file_get_contents = bind('file_get_contents');
export const getallheaders = bind('getallheaders');
export const apache_request_headers = bind('apache_request_headers');
export const is_uploaded_file = bind('is_uploaded_file');
export const move_uploaded_file = bind('move_uploaded_file');
export const getenv = bind('getenv');

// Mail
export const mail = bind('mail');

// Sessions
export const session_start = bind('session_start');
export const session_write_close = bind('session_write_close');
export const session_commit = bind('session_commit');
export const session_abort = bind('session_abort');
export const session_reset = bind('session_reset');
export const session_unset = bind('session_unset');
export const session_destroy = bind('session_destroy');
export const session_regenerate_id = bind('session_regenerate_id');
export const session_status = bind('session_status');
export const session_gc = bind('session_gc');
export const session_id = bind('session_id');
export const session_name = bind('session_name');
export const session_save_path = bind('session_save_path');
export const session_cache_limiter = bind('session_cache_limiter');
export const session_cache_expire = bind('session_cache_expire');
export const session_get_cookie_params = bind('session_get_cookie_params');
export const session_set_cookie_params = bind('session_set_cookie_params');
export const session_create_id = bind('session_create_id');
export const session_encode = bind('session_encode');
export const session_decode = bind('session_decode');
export const session_module_name = bind('session_module_name');
export const session_set_save_handler = bind('session_set_save_handler');
export const session_register_shutdown = bind('session_register_shutdown');
export { SessionHandler } from './api/session-handler.ts';
export type { SessionHandlerInterface } from '../sessions/user-handler.ts';
export { PHP_SESSION_DISABLED, PHP_SESSION_NONE, PHP_SESSION_ACTIVE } from '../sessions/session.ts';

// Constants
export {
  E_ERROR, E_WARNING, E_PARSE, E_NOTICE, E_USER_ERROR, E_USER_WARNING, E_USER_NOTICE, E_STRICT, E_DEPRECATED, E_USER_DEPRECATED, E_ALL,
} from './php/error-reporting.ts';
export {
  PHP_OUTPUT_HANDLER_START, PHP_OUTPUT_HANDLER_WRITE, PHP_OUTPUT_HANDLER_CONT, PHP_OUTPUT_HANDLER_CLEAN, PHP_OUTPUT_HANDLER_FLUSH,
  PHP_OUTPUT_HANDLER_FINAL, PHP_OUTPUT_HANDLER_END, PHP_OUTPUT_HANDLER_CLEANABLE, PHP_OUTPUT_HANDLER_FLUSHABLE,
  PHP_OUTPUT_HANDLER_REMOVABLE, PHP_OUTPUT_HANDLER_STDFLAGS,
} from './php/output-stack.ts';
export { CONNECTION_NORMAL, CONNECTION_ABORTED, CONNECTION_TIMEOUT } from './request/script-response.ts';
export {
  UPLOAD_ERR_OK, UPLOAD_ERR_INI_SIZE, UPLOAD_ERR_FORM_SIZE, UPLOAD_ERR_PARTIAL, UPLOAD_ERR_NO_FILE, UPLOAD_ERR_NO_TMP_DIR,
  UPLOAD_ERR_CANT_WRITE, UPLOAD_ERR_EXTENSION,
} from './request/body.ts';

// Errors scripts may catch or rethrow
export { ExitSignal, ValueError, PhpTypeError, TsfpmError } from './php/errors.ts';

// Servers and middleware
export { createServer, type TsfpmServer } from './http/server.ts';
export { tsfpm, tsfpmScript } from './http/express.ts';
export type { TsfpmOptions } from './http/server-config.ts';
export type { PhpApi } from './api/php-api.ts';
export type { ScriptFunction } from './api/php-api.ts';
