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
  /** Responses in flight, oldest first (more than one only when the client pipelines). */
  readonly responses: ServerResponse[];
  /** Requests it has carried, this one included. */
  served: number;
  /** The request it is reading or answering and its response, for naming it when the connection fails. */
  currentReq: IncomingMessage | undefined;
  currentRes: ServerResponse | undefined;
}

const newConnection = (): Connection => ({ responses: [], served: 0, currentReq: undefined, currentRes: undefined });

export class Connections {
  readonly #connections = new Map<Socket, Connection>();
  /** Responses in flight on every connection, static files and the pool's pages included. */
  #inFlight = 0;
  #draining = false;
  /** A response's 'close' (node:http emits it once), with the response as `this`: one listener for every response, not one made per request. */
  readonly #responseClosed: (this: ServerResponse) => void;

  constructor(http: Server) {
    const closed = (res: ServerResponse): void => this.#closed(res);
    this.#responseClosed = function (this: ServerResponse) {
      closed(this);
    };
    http.on('connection', (socket: Socket) => {
      const connection = newConnection();
      this.#connections.set(socket, connection);
      socket.once('close', () => this.#connections.delete(socket));
      // node:http closes a connection after its last response with destroySoon(): at once, even
      // while the client is still sending a body it will never read. That case lingers instead.
      socket.destroySoon = () => {
        if (connection.currentReq?.complete === false) lingeringClose(socket);
        else Socket.prototype.destroySoon.call(socket);
      };
    });
  }

  /** Call first for every request: tracks its response until it is done. Returns its connection. */
  request(req: IncomingMessage, res: ServerResponse): Connection {
    // every socket the server accepted has its record; a fresh one keeps a stray socket harmless
    const connection = this.#connections.get(req.socket) ?? newConnection();
    connection.responses.push(res);
    connection.served++;
    connection.currentReq = req;
    connection.currentRes = res;
    this.#inFlight++;
    if (this.#draining) res.shouldKeepAlive = false;
    res.on('close', this.#responseClosed);
    return connection;
  }

  #closed(res: ServerResponse): void {
    this.#inFlight--;
    // a connection already closed has no record left to update
    const connection = this.#connections.get(res.req.socket as Socket);
    if (connection === undefined) return;
    const at = connection.responses.indexOf(res);
    if (at !== -1) connection.responses.splice(at, 1);
    if (connection.currentRes === res) connection.currentReq = connection.currentRes = undefined;
  }

  /** The connection of `socket`, while it is open. */
  of(socket: unknown): Connection | undefined {
    return this.#connections.get(socket as Socket);
  }

  /** Responses not finished yet, static files and the pool's pages included. */
  get responses(): number {
    return this.#inFlight;
  }

  /** Open connections, idle ones included. */
  get size(): number {
    return this.#connections.size;
  }

  /** From now on every response closes its connection; those whose head is not out yet say so. */
  drain(): void {
    this.#draining = true;
    for (const { responses } of this.#connections.values()) for (const res of responses) if (!res.headersSent) res.shouldKeepAlive = false;
  }

  /** Closes every connection with no response in flight. */
  closeIdle(): void {
    for (const [socket, { responses }] of this.#connections) if (responses.length === 0) socket.destroy();
  }

  /** The deadline: every connection closes now, responses in flight or not. */
  destroyAll(): void {
    for (const socket of this.#connections.keys()) socket.destroy();
  }
}
