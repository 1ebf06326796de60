/** The wire: request bodies in, JSON answers out with the headers OpenAI sends. */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiErrorBody } from "./errors";
import { newId } from "./response";

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function commonHeaders(): Record<string, string> {
  return {
    "x-request-id": newId("req").slice(0, 36),
    "openai-processing-ms": "1",
    "openai-version": "2020-10-01",
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.destroyed || res.writableEnded) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...commonHeaders(),
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendError(res: ServerResponse, status: number, error: ApiErrorBody) {
  sendJson(res, status, { error });
}
