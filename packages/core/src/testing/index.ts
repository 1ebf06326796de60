export {
  assistantItem,
  type ConformanceOptions,
  type RawAccess,
  type RawValue,
  runStoreConformance,
  type TestFn,
  userItem,
} from "./conformance";
export { memoryRawAccess } from "./memory-raw";
