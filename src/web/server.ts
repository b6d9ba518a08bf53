import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { InputError } from '../errors/index.js';
import { createWebApp } from './app.js';
import type { WebDeps } from './deps.js';

export interface RunningServer {
  /** `http://host:port/`, the address people open. */
  url: string;
  port: number;
  /** Stops accepting, ends open connections (SSE streams included) and resolves once closed. */
  close: () => Promise<void>;
}

/** Listens on host:port (0 picks a free port); a port in use or a host that cannot be bound is an InputError. */
export async function startWebServer(deps: WebDeps, host: string, port: number): Promise<RunningServer> {
  const { fetch } = createWebApp(deps);
  const server = createAdaptorServer({ fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new InputError(`port ${port} on ${host} is in use; pass --port to choose another`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new InputError(`--host ${host}: not an address of this machine`));
      else if (error.code === 'EACCES') reject(new InputError(`port ${port}: permission denied (ports below 1024 need privileges)`));
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
