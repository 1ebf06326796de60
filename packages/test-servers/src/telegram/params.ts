/** Method parameters as Telegram reads them: numbers, booleans, arrays and objects may arrive
 * as strings (form fields, query strings) or as JSON values. */

import { badRequest } from "./api-error";

export function toInt(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? Math.trunc(number) : fallback;
}

export function toBool(value: unknown): boolean {
  return value === true || value === "true" || value === 1 || value === "1";
}

export function toArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {}
  }
  throw badRequest("can't parse array JSON object");
}

export function toObject(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    try {
      return toObject(JSON.parse(value));
    } catch {
      throw badRequest("can't parse JSON object");
    }
  }
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw badRequest("can't parse JSON object");
}
