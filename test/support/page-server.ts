import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { closeServer } from './close-server.js';
import { ROOT } from './paths.js';

/**
 * A web server on 127.0.0.1 serving the saved news pages of fixtures/pages/ (and whatever a test
 * adds), for `assess run <URL>`: real HTTP through the global fetch, redirects included, no
 * network beyond this machine. Records every request with its headers.
 */

export type Route =
  | { status: number; contentType?: string; body: string | Buffer; headers?: Record<string, string> }
  | { redirect: string; status?: number }
  /** Never answers: the request stays open until the client goes away or the server closes. */
  | { hang: true };

export const pageFixture = (name: string): Buffer => readFileSync(`${ROOT}fixtures/pages/${name}`);

export const html = (name: string, contentType = 'text/html; charset=utf-8'): Route => ({ status: 200, contentType, body: pageFixture(name) });

export class PageServer {
  readonly requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly routes = new Map<string, Route>();
  private port = 0;

  /** `http://127.0.0.1:<port>` */
  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  route(path: string, route: Route): this {
    this.routes.set(path, route);
    return this;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      this.requests.push({ path: req.url ?? '/', headers: req.headers });
      const route = this.routes.get(path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<!doctype html><title>Not found</title><h1>Not found</h1>');
        return;
      }
      if ('hang' in route) return;
      if ('redirect' in route) {
        res.writeHead(route.status ?? 301, { location: route.redirect });
        res.end();
        return;
      }
      res.writeHead(route.status, { ...(route.contentType ? { 'content-type': route.contentType } : {}), ...route.headers });
      res.end(route.body);
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('page server: no port');
    this.port = address.port;
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeServer(server, this.sockets);
  }
}

/** A page server for the current test file, started in beforeAll and closed in afterAll. */
export function usePageServer(): PageServer {
  const server = new PageServer();
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.close();
  });
  return server;
}
