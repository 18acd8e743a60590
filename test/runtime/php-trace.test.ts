/**
 * PHP's "Stack trace:" made from V8 stacks (runtime/php/php-trace.ts), in process: which frames count
 * as the script's, and how V8's function names read as PHP's.
 */
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { phpFunctionsBoundIn, phpStackTrace, raisedIn } from '../../runtime/php/php-trace.ts';

const RUNTIME = fileURLToPath(new URL('../../runtime/request/run-request.ts', import.meta.url));
const API = fileURLToPath(new URL('../../runtime/api/php-api.ts', import.meta.url));
const SESSION = fileURLToPath(new URL('../../sessions/session.ts', import.meta.url));
const HEADERS = fileURLToPath(new URL('../../runtime/api/headers.ts', import.meta.url));

/** An Error whose stack is `frames` (V8's `    at …` lines). */
function thrown(...frames: string[]): Error {
  const err = new Error('x');
  err.stack = ['Error: x', ...frames.map((f) => `    at ${f}`)].join('\n');
  return err;
}

describe('phpStackTrace (PHP\'s Stack trace from a V8 stack)', () => {
  // what api/php-api.ts does as it loads
  before(() => phpFunctionsBoundIn(API));

  it('pairs each function with its caller\'s line and ends in {main}, as PHP', () => {
    const err = thrown('inner (/srv/app/x.ts:2:26)', 'outer (/srv/app/x.ts:3:20)', 'default (/srv/app/x.ts:7:3)', `runRequest (${RUNTIME}:62:14)`);
    expect(phpStackTrace(err)).to.equal('#0 /srv/app/x.ts(3): inner()\n#1 /srv/app/x.ts(7): outer()\n#2 {main}');
  });

  it('gives #0 {main} for an error thrown in the default export itself', () => {
    expect(phpStackTrace(thrown('default (/srv/app/x.ts:4:9)', `runRequest (${RUNTIME}:62:14)`))).to.equal('#0 {main}');
  });

  it('leaves out tsfpm\'s own, node:internal, node_modules and native frames', () => {
    const err = thrown(
      `setcookie (${RUNTIME}:10:5)`,
      'helper (file:///srv/app/lib.ts?tsfpm-v=3:5:3)',
      'Array.map (<anonymous>)',
      'lodash (/srv/app/node_modules/lodash/index.js:1:1)',
      'async default (/srv/app/x.ts:9:3)',
      'process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    );
    expect(phpStackTrace(err)).to.equal('#0 /srv/app/x.ts(9): helper()\n#1 {main}');
  });

  it('names anonymous functions {closure}, constructors Class->__construct and methods Class->method', () => {
    const err = thrown('/srv/app/x.ts:2:9', 'Object.<anonymous> (/srv/app/x.ts:3:9)', 'new Cart (/srv/app/x.ts:4:9)', 'Cart.add (/srv/app/x.ts:5:9)', 'default (/srv/app/x.ts:6:9)');
    expect(phpStackTrace(err)).to.equal('#0 /srv/app/x.ts(3): {closure}()\n#1 /srv/app/x.ts(4): {closure}()\n#2 /srv/app/x.ts(5): Cart->__construct()\n#3 /srv/app/x.ts(6): Cart->add()\n#4 {main}');
  });

  it('gives an error thrown inside a PHP function the script called that function\'s frame, at the script\'s line', () => {
    const err = thrown(`cookie (${HEADERS}:18:16)`, `setcookie (${HEADERS}:71:68)`, `Object.bound (${API}:41:45)`, `<anonymous> (${RUNTIME}:17:65)`, 'b_default (/srv/app/x.ts:4:9)');
    expect(phpStackTrace(err)).to.equal('#0 /srv/app/x.ts(4): setcookie()\n#1 {main}');
  });

  it('gives no PHP function frame when the script\'s own callback threw inside it', () => {
    const err = thrown('handler (/srv/app/x.ts:2:9)', `ob_end_flush (${HEADERS}:30:5)`, `bound (${API}:41:45)`, 'default (/srv/app/x.ts:5:3)');
    expect(phpStackTrace(err)).to.equal('#0 /srv/app/x.ts(5): handler()\n#1 {main}');
  });

  it('gives an error tsfpm raised inside an async PHP function, after that function awaited, the function\'s frame', () => {
    // V8's async stack: tsfpm's frames, then the script's await; no binding frame of php-api.ts any more
    const err = thrown(`PhpSession.#createId (${SESSION}:408:46)`, `async PhpSession.#startWith (${SESSION}:323:14)`, 'async b_default (/srv/app/x.ts:4:3)');
    expect(phpStackTrace(raisedIn('session_start', err))).to.equal('#0 /srv/app/x.ts(4): session_start()\n#1 {main}');
  });

  it('keeps the frames of a script callback that threw inside an async PHP function', () => {
    const err = thrown('open (/srv/app/x.ts:3:40)', `async PhpSession.#startWith (${SESSION}:323:14)`, 'async b_default (/srv/app/x.ts:4:3)');
    expect(phpStackTrace(raisedIn('session_start', err))).to.equal('#0 /srv/app/x.ts(4): open()\n#1 {main}');
  });

  it('gives #0 {main} for a value that is not an Error', () => {
    expect(phpStackTrace('a string')).to.equal('#0 {main}');
  });
});
