export {
  clientQueues,
  defaultFailFastSettings,
  type FailFastSettings,
  failFastClusterOptions,
  failFastRedisOptions,
  type IoRedisClient,
  queuingRisks,
} from "./connection";
export {
  createIoRedisStore,
  defaultOptions,
  IoRedisStore,
  type IoRedisStoreOptions,
} from "./ioredis-store";
