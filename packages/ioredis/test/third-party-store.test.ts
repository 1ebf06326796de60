import { silentLogger } from "@agents-memory/core";
import { type RedisCommands, RedisLayoutStore, timeReplyMs } from "@agents-memory/core/redis";
import { redisRawAccess, runStoreConformance } from "@agents-memory/core/testing";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { afterAll, test } from "vitest";

// A store on some other Redis-protocol client, written the way a third party would: the
// client here is reached only through a generic `call(command, ...args)`, as most clients offer.
type Call = (command: string, ...args: (string | number | Buffer)[]) => Promise<unknown>;

class CallStore extends RedisLayoutStore {
  readonly #commands: RedisCommands;
  constructor(call: Call) {
    super("call-store", { logger: silentLogger });
    this.#commands = {
      evalsha: (sha, keys, args) => call("EVALSHA", sha, keys.length, ...keys, ...args),
      eval: (lua, keys, args) => call("EVAL", lua, keys.length, ...keys, ...args),
      lrange: (key, start, stop) => call("LRANGE", key, start, stop),
      time: async () => timeReplyMs(await call("TIME")),
    };
  }
  protected run<T>(_op: string, _key: string, work: (c: RedisCommands) => Promise<T>) {
    return work(this.#commands);
  }
  protected budgetMs() {
    return 1000;
  }
}

const server = await startRedisServer();
const client = new Redis(server.url);
const rawClient = new Redis(server.url);
afterAll(async () => {
  client.disconnect();
  rawClient.disconnect();
  await server.stop();
});

// Adopting the suite: the exported independent reader over a second connection, and the store.
runStoreConformance(test, () => new CallStore((...args) => client.call(...args)), {
  name: "a third-party store on the shared layout",
  raw: redisRawAccess((...args) => rawClient.call(...args)),
  groups: { legacy: true },
});
