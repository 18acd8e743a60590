// @ts-check
/**
 * The watchdog thread (the design is in watchdog.ts). Plain JavaScript: worker threads do not get
 * the TypeScript loader when tsfpm runs through bin.js.
 *
 * It reads the time of the main thread's last heartbeat. Once that is `probeAfterMs` old, it opens
 * an inspector session to the main thread and evaluates the main side's probe() there
 * (Runtime.evaluate is served on an interrupt, inside the stuck code). When the probe says a limit
 * has passed, it enables the Debugger domain, pauses the main thread, repairs Node's timer loops
 * if needed (REPAIRS), has confirm() evaluated on the paused frame and, if confirmed, posts
 * Runtime.terminateExecution before resuming it: the stuck code is unwound at its next
 * instruction. The session exists only while a stall is handled, and the Debugger domain only
 * while a script is being stopped: both cost the main thread.
 * @module
 */
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';

/** @type {{ heartbeat: SharedArrayBuffer, probeAfterMs: number, recheckMs: number, answerTimeoutMs: number }} */
const settings = workerData;
/** The main thread's last heartbeat, as a time in ms (performance.timeOrigin + performance.now()). */
const beat = new BigInt64Array(settings.heartbeat);
const HOOK = "globalThis[Symbol.for('tsfpm.watchdog')]";

const clock = () => performance.timeOrigin + performance.now();
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

void watch();

/**
 * Sleeps until the heartbeat, if it does not move, will have stalled `probeAfterMs`, and looks
 * then; during a stall, as often as the main side asks. Its timer keeps the thread alive (the main
 * side unrefs the thread itself).
 */
async function watch() {
  let stall = 0;
  let lookAgainAt = 0;
  for (;;) {
    const last = Number(Atomics.load(beat, 0));
    const wait = (last === stall ? lookAgainAt : last + settings.probeAfterMs) - clock();
    if (wait > 0) {
      await sleep(wait);
      continue;
    }
    stall = last;
    lookAgainAt = clock() + (await handleStall(last));
  }
}

/**
 * One look at a stall: the probe, and the termination when the probe asks for it.
 * @param {number} stalled the heartbeat that has not moved
 * @returns {Promise<number>} when to look again at this stall (ms)
 */
async function handleStall(stalled) {
  const session = new Session();
  session.connectToMainThread();
  try {
    const reply = await evaluate(session, 'Runtime.evaluate', {}, `${HOOK}?.probe(${stalled}, ${clock() - stalled})`);
    if (!reply?.stop) return Math.max(10, reply?.next ?? settings.recheckMs);
    await terminate(session, stalled);
    return settings.recheckMs;
  } catch {
    // the main thread did not answer (native code) or the session failed: look again later
    return settings.recheckMs;
  } finally {
    session.disconnect();
  }
}

/**
 * Node's own loops over timers and immediates keep their books in finally blocks, which a
 * termination skips. On their paused frames, before it, this does what those blocks would have
 * done for the callback being stopped. Without it a stuck setImmediate() callback that was not the
 * first of its batch leaves Node's immediate queue broken (a TypeError on every later turn of the
 * loop), and a stuck timer keeps the event loop referenced forever. Each expression first checks
 * that the frame is inside the callback (not in the nextTick queue run between two callbacks) and
 * is true when done; one that fails (another Node.js, other names) means no safe termination.
 */
const REPAIRS = [
  {
    url: 'node:internal/timers',
    functionName: 'processImmediate',
    expression: '(immediate._destroyed && immediate._onImmediate !== null && ((outstandingQueue.head = immediate._idleNext), (immediate._onImmediate = null)), true)',
  },
  {
    url: 'node:internal/timers',
    functionName: 'listOnTimeout',
    expression: '(!timer._idleNext && !timer._idlePrev && clearTimeout(timer), true)',
  },
];

/**
 * @param {Session} session
 * @param {number} stalled
 */
async function terminate(session, stalled) {
  /** @type {Promise<any>} */
  const paused = new Promise((resolve) => session.once('Debugger.paused', (message) => resolve(message.params)));
  // paused frames name their script by id only: enabling the domain lists every script
  /** @type {Map<string, string>} */
  const urls = new Map();
  session.on('Debugger.scriptParsed', ({ params }) => urls.set(params.scriptId, params.url));
  await within(post(session, 'Debugger.enable'));
  try {
    await within(post(session, 'Debugger.pause'));
    /** @type {{ callFrames: { callFrameId: string, functionName: string, location: { scriptId: string } }[] }} */
    const { callFrames } = await within(paused);
    const top = { callFrameId: callFrames[0]?.callFrameId };
    for (const frame of callFrames) {
      const url = urls.get(frame.location.scriptId);
      const repair = REPAIRS.find((r) => r.url === url && r.functionName === frame.functionName);
      if (repair && (await evaluate(session, 'Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId }, repair.expression)) !== true) {
        await evaluate(session, 'Debugger.evaluateOnCallFrame', top, `${HOOK}?.cannotStop(${stalled}, ${JSON.stringify(`inside ${frame.functionName} of ${url}`)})`);
        return;
      }
    }
    const confirmed = await evaluate(session, 'Debugger.evaluateOnCallFrame', top, `${HOOK}?.confirm(${stalled}, ${clock() - stalled})`);
    // not awaited: it takes effect at the stuck code's next instruction, once resumed below
    if (confirmed === true) session.post('Runtime.terminateExecution');
  } finally {
    await within(post(session, 'Debugger.disable')).catch(() => undefined);
  }
}

/**
 * Evaluates `expression` with `method` (on the main thread's global scope or a paused frame); its
 * value, or undefined when it threw.
 * @param {Session} session
 * @param {string} method
 * @param {object} params
 * @param {string} expression
 */
async function evaluate(session, method, params, expression) {
  const result = await within(post(session, method, { ...params, expression, returnByValue: true }));
  return result.exceptionDetails ? undefined : result.result.value;
}

/**
 * @param {Session} session
 * @param {string} method
 * @param {object} [params]
 * @returns {Promise<any>}
 */
function post(session, method, params = {}) {
  return new Promise((resolve, reject) => {
    /** @type {(method: string, params: object, callback: (err: Error | null, result?: object) => void) => void} */ (session.post.bind(session))(method, params, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @returns {Promise<T>}
 */
function within(promise) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('the main thread did not answer')), settings.answerTimeoutMs);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout])).finally(() => clearTimeout(timer));
}
