import { createServer, type Server } from "node:http";
import type { Logger } from "../logger";
import { answerHealthz, type HealthSource, isHealthz } from "./healthz";

export interface HealthServer {
  port: number;
  /** From now on `/healthz` answers 503 `stopping` (the bot is finishing its turns). */
  markStopping(): void;
  close(): Promise<void>;
}

/**
 * `GET /healthz` on a port of its own (HEALTH_PORT), for polling mode, where no webhook
 * server runs; every other request gets 404.
 */
export async function startHealthServer(
  source: HealthSource,
  options: { host: string; port: number; logger: Logger },
): Promise<HealthServer> {
  let stopping = false;
  const server: Server = createServer((req, res) => {
    if (!isHealthz(req)) return void res.writeHead(404).end();
    answerHealthz(res, source, stopping).catch((error) => {
      options.logger.error({ err: error }, "health request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  options.logger.info({ host: options.host, port }, "health endpoint listening on /healthz");
  return {
    port,
    markStopping() {
      stopping = true;
    },
    close() {
      stopping = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
