/**
 * PHP's output layer (main/output.c): a stack of output buffers, each with an optional handler
 * and chunk size, over a sink that stands for the SAPI (the response). `echo` writes to the top
 * level; a level's output goes to the level below it, the bottom level's to the sink.
 * @module
 */

/** Handler phases, as PHP_OUTPUT_HANDLER_* (START=1 WRITE=0 CLEAN=2 FLUSH=4 FINAL=8). */
export const PHP_OUTPUT_HANDLER_START = 1;
export const PHP_OUTPUT_HANDLER_WRITE = 0;
export const PHP_OUTPUT_HANDLER_CONT = 0;
export const PHP_OUTPUT_HANDLER_CLEAN = 2;
export const PHP_OUTPUT_HANDLER_FLUSH = 4;
export const PHP_OUTPUT_HANDLER_FINAL = 8;
export const PHP_OUTPUT_HANDLER_END = 8;
/** Capability flags, as PHP_OUTPUT_HANDLER_CLEANABLE etc. */
export const PHP_OUTPUT_HANDLER_CLEANABLE = 16;
export const PHP_OUTPUT_HANDLER_FLUSHABLE = 32;
export const PHP_OUTPUT_HANDLER_REMOVABLE = 64;
export const PHP_OUTPUT_HANDLER_STDFLAGS = 112;
const STARTED = 0x1000;
const DISABLED = 0x2000;

/** An ob_start() callback: gets the buffer and the phase bits, returns the replacement or false to pass it through. */
export type OutputCallback = (buffer: string, phase: number) => string | false | void;

export interface OutputStatus {
  name: string;
  type: number;
  flags: number;
  level: number;
  chunk_size: number;
  buffer_size: number;
  buffer_used: number;
}

interface Level {
  readonly name: string;
  readonly callback: OutputCallback | undefined;
  readonly chunkSize: number;
  flags: number;
  chunks: (string | Buffer)[];
  size: number;
}

const DEFAULT_HANDLER = 'default output handler';

function toText(chunks: (string | Buffer)[]): string {
  if (chunks.length === 1 && typeof chunks[0] === 'string') return chunks[0];
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString();
}

/** The ob_* stack of one request. */
export class OutputStack {
  readonly #sink: (data: string | Buffer) => void;
  readonly #levels: Level[] = [];
  #inHandler = false;

  /** @param sink receives what leaves the bottom level: the response body. */
  constructor(sink: (data: string | Buffer) => void) {
    this.#sink = sink;
  }

  get level(): number {
    return this.#levels.length;
  }

  /** echo: into the top buffer, or straight to the sink when none is open. */
  write(data: string | Buffer): void {
    if (this.#inHandler || data.length === 0) return;
    const top = this.#levels.at(-1);
    if (top === undefined) {
      this.#sink(data);
      return;
    }
    this.#append(top, data);
  }

  #append(level: Level, data: string | Buffer): void {
    if (level.flags & DISABLED) return;
    level.chunks.push(data);
    level.size += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (level.chunkSize > 0 && level.size >= level.chunkSize) this.#pass(level, PHP_OUTPUT_HANDLER_WRITE, true);
  }

  /** Runs the level's handler over its buffer, empties it, and forwards the result downwards when `forward`. */
  #pass(level: Level, phase: number, forward: boolean): void {
    const input = level.chunks;
    level.chunks = [];
    level.size = 0;
    let out: string | Buffer | undefined;
    if (level.callback && !(level.flags & DISABLED)) {
      const text = toText(input);
      const first = (level.flags & STARTED) === 0;
      level.flags |= STARTED;
      this.#inHandler = true;
      try {
        const result = level.callback(text, phase | (first ? PHP_OUTPUT_HANDLER_START : 0));
        out = result === false || result === undefined ? text : String(result);
      } finally {
        this.#inHandler = false;
      }
    } else {
      level.flags |= STARTED;
      out = input.length === 1 ? input[0] : input.length === 0 ? undefined : Buffer.concat(input.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    }
    if (!forward || out === undefined || out.length === 0) return;
    const index = this.#levels.indexOf(level);
    const below = index > 0 ? this.#levels[index - 1] : undefined;
    if (below) this.#append(below, out);
    else this.#sink(out);
  }

  /** ob_start(): pushes a level. `chunkSize` > 0 passes the buffer on once it holds that many bytes. */
  start(callback?: OutputCallback, chunkSize = 0, flags = PHP_OUTPUT_HANDLER_STDFLAGS, name?: string): boolean {
    if (this.#inHandler) return false;
    this.#levels.push({
      name: name ?? (callback ? callback.name || 'Closure::__invoke' : DEFAULT_HANDLER),
      callback,
      chunkSize: chunkSize > 1 ? chunkSize : 0,
      flags: flags & PHP_OUTPUT_HANDLER_STDFLAGS,
      chunks: [],
      size: 0,
    });
    return true;
  }

  /** ob_get_contents(): false when no buffer is open. */
  contents(): string | false {
    const top = this.#levels.at(-1);
    return top === undefined ? false : toText(top.chunks);
  }

  /** ob_get_length(): bytes, false when no buffer is open. */
  length(): number | false {
    return this.#levels.at(-1)?.size ?? false;
  }

  /**
   * The operations behind ob_flush/ob_clean/ob_end_*: each returns an error message naming why PHP
   * refuses (no buffer, or a capability flag missing), or undefined on success.
   */
  flush(): string | undefined {
    const top = this.#levels.at(-1);
    if (top === undefined) return 'Failed to flush buffer. No buffer to flush';
    if (!(top.flags & PHP_OUTPUT_HANDLER_FLUSHABLE)) return `Failed to flush buffer of ${top.name} (${this.level - 1})`;
    this.#pass(top, PHP_OUTPUT_HANDLER_FLUSH, true);
    return undefined;
  }

  clean(): string | undefined {
    const top = this.#levels.at(-1);
    if (top === undefined) return 'Failed to delete buffer. No buffer to delete';
    if (!(top.flags & PHP_OUTPUT_HANDLER_CLEANABLE)) return `Failed to delete buffer of ${top.name} (${this.level - 1})`;
    this.#pass(top, PHP_OUTPUT_HANDLER_CLEAN, false);
    return undefined;
  }

  endFlush(): string | undefined {
    const top = this.#levels.at(-1);
    if (top === undefined) return 'Failed to delete and flush buffer. No buffer to delete or flush';
    if (!(top.flags & PHP_OUTPUT_HANDLER_REMOVABLE)) return `Failed to send buffer of ${top.name} (${this.level - 1})`;
    this.#pass(top, PHP_OUTPUT_HANDLER_FINAL, true);
    this.#levels.pop();
    return undefined;
  }

  endClean(): string | undefined {
    const top = this.#levels.at(-1);
    if (top === undefined) return 'Failed to delete buffer. No buffer to delete';
    if (!(top.flags & PHP_OUTPUT_HANDLER_REMOVABLE)) return `Failed to discard buffer of ${top.name} (${this.level - 1})`;
    this.#pass(top, PHP_OUTPUT_HANDLER_CLEAN | PHP_OUTPUT_HANDLER_FINAL, false);
    this.#levels.pop();
    return undefined;
  }

  /** php_output_end_all(): flushes and closes every level, bottom last, whatever its flags (request end, finish). */
  endAll(): void {
    while (this.#levels.length > 0) {
      this.#pass(this.#levels.at(-1)!, PHP_OUTPUT_HANDLER_FINAL, true);
      this.#levels.pop();
    }
  }

  /** Drops every level without output: the buffered body of a request that failed before sending it. */
  discardAll(): void {
    this.#levels.length = 0;
  }

  /** ob_get_status(): the top level, or every level when `full`. */
  status(full: boolean): OutputStatus | OutputStatus[] | [] {
    const describe = (l: Level, i: number): OutputStatus => ({
      name: l.name,
      type: l.callback ? 1 : 0,
      flags: l.flags,
      level: i,
      chunk_size: l.chunkSize,
      // PHP_OUTPUT_HANDLER_INITBUF_SIZE: chunk size rounded up past the next 4 KiB, else 16 KiB
      buffer_size: Math.max(l.chunkSize > 1 ? l.chunkSize + 4096 - (l.chunkSize % 4096) : 16384, l.size),
      buffer_used: l.size,
    });
    if (full) return this.#levels.map(describe);
    const top = this.#levels.at(-1);
    return top === undefined ? [] : describe(top, this.#levels.length - 1);
  }

  /** ob_list_handlers() */
  handlers(): string[] {
    return this.#levels.map((l) => l.name);
  }
}
