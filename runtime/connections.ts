/**
 * The server's client connections and the responses in flight on them, for a graceful close.
 *
 * Closing an idle keep-alive connection races its client: the client may be sending its next
 * request on it at that moment, and that request fails ("other side closed"). Node's
 * http.Server#close() closes idle connections at once. So a stopping server instead answers every
 * response not started yet with `Connection: close` (Node closes the connection after it), and
 * closes an idle connection only when no other process will serve the port (the request would fail
 * anyway) — or, when other workers go on, leaves it to the keep-alive timeout, which clients
 * know from the `Keep-Alive: timeout=N` header and stay under.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export class Connections {
  /** Each connection with its responses in flight (more than one only when the client pipelines). */
  readonly #connections = new Map<Socket, { open: number }>();
  readonly #responses = new Set<ServerResponse>();
  #draining = false;

  constructor(http: Server) {
    http.on('connection', (socket: Socket) => {
      this.#connections.set(socket, { open: 0 });
      socket.once('close', () => this.#connections.delete(socket));
    });
  }

  /** Call first for every request: tracks its response until it is done. */
  request(req: IncomingMessage, res: ServerResponse): void {
    const connection = this.#connections.get(req.socket);
    if (connection) connection.open++;
    this.#responses.add(res);
    if (this.#draining) res.shouldKeepAlive = false;
    res.once('close', () => {
      this.#responses.delete(res);
      if (connection) connection.open--;
    });
  }

  /** Responses not finished yet, static files and the pool's pages included. */
  get responses(): number {
    return this.#responses.size;
  }

  /** Open connections, idle ones included. */
  get size(): number {
    return this.#connections.size;
  }

  /** From now on every response closes its connection; those whose head is not out yet say so. */
  drain(): void {
    this.#draining = true;
    for (const res of this.#responses) if (!res.headersSent) res.shouldKeepAlive = false;
  }

  /** Closes every connection with no response in flight. */
  closeIdle(): void {
    for (const [socket, { open }] of this.#connections) if (open === 0) socket.destroy();
  }

  /** The deadline: every connection closes now, responses in flight or not. */
  destroyAll(): void {
    for (const socket of this.#connections.keys()) socket.destroy();
  }
}
