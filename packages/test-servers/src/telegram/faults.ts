/** Fault injection: failNext, failWhen (an error answer) and dropNext (the connection cut). */

import { ApiError } from "./api-error";
import type { TelegramError } from "./types";

export class FaultRules {
  private readonly failNextRules = new Map<
    string,
    Array<{ error: TelegramError; remaining: number }>
  >();
  private readonly dropRules = new Map<string, number>();
  private readonly failWhenRules: Array<{
    method: string;
    predicate: (params: any) => boolean;
    error: TelegramError;
  }> = [];

  failNext(method: string, error: TelegramError, count = 1): void {
    const queue = this.failNextRules.get(method) ?? [];
    queue.push({ error, remaining: count });
    this.failNextRules.set(method, queue);
  }

  failWhen(method: string, predicate: (params: any) => boolean, error: TelegramError): void {
    this.failWhenRules.push({ method, predicate, error });
  }

  dropNext(method: string, count = 1): void {
    this.dropRules.set(method, (this.dropRules.get(method) ?? 0) + count);
  }

  clear(method?: string): void {
    if (method === undefined) {
      this.failNextRules.clear();
      this.dropRules.clear();
    } else {
      this.failNextRules.delete(method);
      this.dropRules.delete(method);
    }
    for (let i = this.failWhenRules.length - 1; i >= 0; i--) {
      if (method === undefined || this.failWhenRules[i]!.method === method) {
        this.failWhenRules.splice(i, 1);
      }
    }
  }

  /** True (and one drop used up) if this call to `method` is to get no answer. */
  takeDrop(method: string): boolean {
    const drops = this.dropRules.get(method) ?? 0;
    if (drops <= 0) return false;
    this.dropRules.set(method, drops - 1);
    return true;
  }

  /** The error this call is to fail with, if a rule says so (failNext rules first). */
  injectedFailure(method: string, params: any): ApiError | undefined {
    const queue = this.failNextRules.get(method);
    const next = queue?.[0];
    if (queue && next) {
      next.remaining -= 1;
      if (next.remaining <= 0) queue.shift();
      return toApiError(next.error);
    }
    for (const rule of this.failWhenRules) {
      if (rule.method === method && rule.predicate(params)) return toApiError(rule.error);
    }
    return undefined;
  }
}

function toApiError(error: TelegramError): ApiError {
  return new ApiError(
    error.error_code,
    error.description,
    error.retry_after !== undefined ? { retry_after: error.retry_after } : undefined,
  );
}
