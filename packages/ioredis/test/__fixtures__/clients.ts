import { silentLogger } from "@agents-memory/core";
import { Cluster as Cluster5, Redis as Redis5 } from "ioredis";
import { Cluster as Cluster6, Redis as Redis6 } from "ioredis6";
import {
  failFastRedisOptions,
  type IoRedisClient,
  IoRedisStore,
  type IoRedisStoreOptions,
} from "../../src";

/** The two ioredis majors the store supports, as the tests build them. */
export interface Major {
  name: string;
  redis(url: string, options?: object): IoRedisClient;
  cluster(nodes: { host: string; port: number }[], options?: object): IoRedisClient;
}

export const majors: Major[] = [
  {
    name: "ioredis 5",
    redis: (url, options = {}) => new Redis5(url, options),
    cluster: (nodes, options = {}) => new Cluster5(nodes, options),
  },
  {
    name: "ioredis 6",
    // ioredis 6's types are a separate declaration of the same classes.
    redis: (url, options = {}) => new Redis6(url, options) as unknown as IoRedisClient,
    cluster: (nodes, options = {}) => new Cluster6(nodes, options) as unknown as IoRedisClient,
  },
];

/** A store to test, built one of the ways a user builds it, and how to let go of it. */
export interface Flavor {
  name: string;
  make(url: string, options?: Omit<IoRedisStoreOptions, "client" | "url">): Made;
}
export interface Made {
  store: IoRedisStore;
  client: IoRedisClient;
  dispose(): Promise<void>;
}

function callerClient(major: Major): Flavor {
  return {
    name: `${major.name}, a fail-fast client the caller built`,
    make(url, options = {}) {
      const client = major.redis(url, failFastRedisOptions(options));
      // A caller handles its client's connection errors (ioredis prints them otherwise).
      client.on("error", () => {});
      const store = new IoRedisStore({ logger: silentLogger, ...options, client });
      return {
        store,
        client,
        async dispose() {
          await store.close();
          client.disconnect();
        },
      };
    },
  };
}

/** The store-built client (ioredis 5, the dev dependency) and a caller's client of each major. */
export const flavors: Flavor[] = [
  {
    name: "ioredis 5, the client the store built from a URL",
    make(url, options = {}) {
      const store = new IoRedisStore({ logger: silentLogger, ...options, url });
      return { store, client: store.client, dispose: () => store.close() };
    },
  },
  ...majors.map(callerClient),
];
