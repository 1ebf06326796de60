/** Redis replies as the connection hands them over (raw bytes), and their JSON encoding. */

import { ReplyError as IoRedisReplyError } from "ioredis";

/** An error reply from Redis (ioredis declares its class as `any`). */
export const ReplyError = IoRedisReplyError as new (message: string) => Error;
export type ReplyError = Error;

export type Reply = Buffer | number | null | Reply[] | ReplyError;

/** The result as JSON: base64 for every string (but a top-level OK) when asked, else UTF-8. */
export function encodeResult(reply: Reply, base64: boolean, top: boolean): unknown {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (reply instanceof ReplyError) return reply.message; // an error inside an array
  if (Array.isArray(reply)) return reply.map((element) => encodeResult(element, base64, false));
  if (Buffer.isBuffer(reply)) {
    if (!base64) return reply.toString("utf8");
    if (top && reply.length === 2 && reply.toString("latin1") === "OK") return "OK";
    return reply.toString("base64");
  }
  return String(reply);
}
