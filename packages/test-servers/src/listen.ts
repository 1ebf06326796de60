import type { AddressInfo, Server } from "node:net";

/** Starts `server` on 127.0.0.1 at `port` (default: a free one the OS picks); resolves with
 * the port, rejects with the listen error (EADDRINUSE, ...). */
export async function listenLocal(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
