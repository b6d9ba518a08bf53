import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Stops a test server and destroys every open socket, hanging requests included, so no test waits on it. */
export async function closeServer(server: Server, sockets: Iterable<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  for (const socket of sockets) socket.destroy();
  await closed;
}
