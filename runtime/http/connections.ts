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
 *
 * The same record per connection tells the HTTP limits (http-limits.ts) how many requests it has
 * carried and which request it is on when it fails, and tells the close after a last response
 * whether the client is still sending its request (lingering-close.ts).
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { lingeringClose } from './lingering-close.ts';

/** One client connection. */
export interface Connection {
  /** Responses in flight (more than one only when the client pipelines). */
  open: number;
  /** Requests it has carried, this one included. */
  served: number;
  /** The request it is reading or answering, for naming it when the connection fails. */
  current: { readonly req: IncomingMessage; readonly res: ServerResponse } | undefined;
}

export class Connections {
  readonly #connections = new Map<Socket, Connection>();
  /** Responses in flight, and the connection each is on. */
  readonly #responses = new Map<ServerResponse, Connection>();
  #draining = false;
  /** A response's 'close' (node:http emits it once), with the response as `this`: one listener for every response, not one made per request. */
  readonly #responseClosed: (this: ServerResponse) => void;

  constructor(http: Server) {
    const responses = this.#responses;
    this.#responseClosed = function (this: ServerResponse) {
      const connection = responses.get(this);
      if (connection === undefined) return;
      responses.delete(this);
      connection.open--;
      if (connection.current?.res === this) connection.current = undefined;
    };
    http.on('connection', (socket: Socket) => {
      const connection: Connection = { open: 0, served: 0, current: undefined };
      this.#connections.set(socket, connection);
      socket.once('close', () => this.#connections.delete(socket));
      // node:http closes a connection after its last response with destroySoon(): at once, even
      // while the client is still sending a body it will never read. That case lingers instead.
      socket.destroySoon = () => {
        if (connection.current?.req.complete === false) lingeringClose(socket);
        else Socket.prototype.destroySoon.call(socket);
      };
    });
  }

  /** Call first for every request: tracks its response until it is done. Returns its connection. */
  request(req: IncomingMessage, res: ServerResponse): Connection {
    // every socket the server accepted has its record; a fresh one keeps a stray socket harmless
    const connection = this.#connections.get(req.socket) ?? { open: 0, served: 0, current: undefined };
    connection.open++;
    connection.served++;
    connection.current = { req, res };
    this.#responses.set(res, connection);
    if (this.#draining) res.shouldKeepAlive = false;
    res.on('close', this.#responseClosed);
    return connection;
  }

  /** The connection of `socket`, while it is open. */
  of(socket: unknown): Connection | undefined {
    return this.#connections.get(socket as Socket);
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
    for (const res of this.#responses.keys()) if (!res.headersSent) res.shouldKeepAlive = false;
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
