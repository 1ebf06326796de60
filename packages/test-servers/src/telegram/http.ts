/** The wire (https://core.telegram.org/bots/api#making-requests): parameters from the query
 * string and a JSON, urlencoded or multipart body; answers with the HTTP status equal to
 * `error_code`. */

import type { IncomingMessage, ServerResponse } from "node:http";

export function reply(res: ServerResponse, body: Record<string, unknown>, closing = false) {
  if (res.destroyed || res.writableEnded) return;
  const status = body.ok ? 200 : (body.error_code as number);
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...(closing ? { connection: "close" } : {}),
  });
  res.end(payload);
}

export async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) params[key] = parseFormValue(value);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return params;
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) {
      params[key] = parseFormValue(value);
    }
  } else if (type.startsWith("multipart/form-data")) {
    const form = await new Response(body, { headers: { "content-type": type } }).formData();
    for (const [key, value] of form) {
      params[key] =
        typeof value === "string"
          ? parseFormValue(value)
          : { file: (value as File).name, size: (value as File).size };
    }
  } else {
    const parsed = JSON.parse(body.toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      Object.assign(params, parsed);
  }
  return params;
}

/** Form and query values are strings; JSON-serialized objects and arrays are decoded. */
function parseFormValue(value: string): unknown {
  if (/^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
