/**
 * Holding a request in a chosen state. Test servers run their scripts in the test's own process, so
 * a script can wait on a promise the test resolves: a script calls `await globalThis.<name>(id)`,
 * the test calls `gates.open(id)`. Plus bounded waits for a server-side condition.
 */
import { sleep } from './wait.ts';

export interface Gates {
  /** The expression a script awaits: `globalThis.<name>(id)`. */
  readonly call: (id: string) => string;
  open(id: string): void;
  /** Opens every gate, and every gate reached from now on. */
  openAll(): void;
}

/** Installs `globalThis[name]` and returns its gates. */
export function installGates(name: string): Gates {
  const entries = new Map<string, { promise: Promise<void>; open: () => void }>();
  // after openAll(), a script that reaches its gate only later (it was waiting for a lock) passes too
  let allOpen = false;
  const entry = (id: string) => {
    let found = entries.get(id);
    if (!found) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      found = { promise, open };
      entries.set(id, found);
      if (allOpen) open();
    }
    return found;
  };
  Object.assign(globalThis, { [name]: (id: string) => entry(id).promise });
  return {
    call: (id) => `globalThis.${name}(${id})`,
    open: (id) => entry(id).open(),
    openAll: () => {
      allOpen = true;
      entries.forEach((e) => e.open());
    },
  };
}

/**
 * Scripts that stop at a gate named by their `?id=`, one per state the status page shows:
 * hold.ts (Running), tail.ts (Finishing, after fastcgi_finish_request()), session-hold.ts (holding
 * the session lock; a second request on its cookie waits for it), session-new.ts (makes a session).
 */
export function gatedScripts(gates: Gates): Record<string, string> {
  const wait = gates.call('$_GET.id');
  return {
    'hold.ts': `export default async function ({ echo, $_GET }) {
      await ${wait};
      echo('done');
    }`,
    'tail.ts': `export default async function ({ echo, $_GET, fastcgi_finish_request }) {
      echo('answered');
      await fastcgi_finish_request();
      await ${wait};
    }`,
    'session-new.ts': `export default async function ({ echo, session_start, $_SESSION }) {
      await session_start();
      $_SESSION.n = 1;
      echo('ok');
    }`,
    'session-hold.ts': `export default async function ({ echo, session_start, $_GET }) {
      await session_start();
      await ${wait};
      echo('done');
    }`,
    'hello.ts': `export default function ({ echo }) { echo('hello'); }`,
  };
}

/** Whether `promise` is still pending after `ms`. */
export async function pendingAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([promise, sleep(ms).then(() => marker)])) === marker;
}
