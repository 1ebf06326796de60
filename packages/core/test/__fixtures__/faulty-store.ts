import type { AgentInputItem } from "@openai/agents";
import { MemoryStore, type SessionStore, silentLogger } from "../../src";

/**
 * A real MemoryStore behind a fault switch: `mode` makes every call throw, hang, or pass.
 * Fault injection around a real store, so the sessions' failure handling is what is tested.
 */
export class FaultyStore implements SessionStore {
  readonly inner = new MemoryStore({ logger: silentLogger, sweepIntervalMs: 0 });
  mode: "ok" | "throw" | "hang" = "ok";
  calls: string[] = [];

  #gate<T>(name: string, run: () => Promise<T>): Promise<T> {
    this.calls.push(name);
    if (this.mode === "throw") return Promise.reject(new Error(`backend down (${name})`));
    if (this.mode === "hang") return new Promise<T>(() => {});
    return run();
  }
  read(key: string, limit?: number) {
    return this.#gate("read", () => this.inner.read(key, limit));
  }
  replace(key: string, items: readonly AgentInputItem[], ttl: number) {
    return this.#gate("replace", () => this.inner.replace(key, items, ttl));
  }
  append(
    key: string,
    items: readonly AgentInputItem[],
    o: { maxItems: number; ttlSeconds: number },
  ) {
    return this.#gate("append", () => this.inner.append(key, items, o));
  }
  fork(...args: Parameters<SessionStore["fork"]>) {
    return this.#gate("fork", () => this.inner.fork(...args));
  }
  pop(key: string) {
    return this.#gate("pop", () => this.inner.pop(key));
  }
  clear(key: string) {
    return this.#gate("clear", () => this.inner.clear(key));
  }
  transact(...args: Parameters<NonNullable<SessionStore["transact"]>>) {
    return this.#gate("transact", () => this.inner.transact(...args));
  }
  replaceFunctionCall(...args: Parameters<NonNullable<SessionStore["replaceFunctionCall"]>>) {
    return this.#gate("replaceFunctionCall", () => this.inner.replaceFunctionCall(...args));
  }
}
