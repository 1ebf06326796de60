import { type AgentInputItem, UserError } from "@openai/agents";
/**
 * What a session accepts as an item: plain JSON data, the only thing a store gives back exactly
 * as it was written. Anything else is refused before a write, never converted: JSON would turn
 * a `Date` into a string, a typed array into `{"0":300}`, a Symbol or a non-enumerable property
 * into nothing, and the history read back would silently differ from the one written.
 */

/** Thrown by {@link plainJsonCopy}; its message holds none of the data (it may be a secret). */
export class NotPlainJsonError extends TypeError {
  constructor() {
    super("[agents-memory] not plain JSON data");
    this.name = "NotPlainJsonError";
  }
}

/**
 * A copy of `value` when it is plain JSON data: `null`, a string, a boolean, a finite number, a
 * dense array, or an object (of `Object` or `null` prototype) whose own properties are all
 * enumerable, string-keyed data properties, each of these again. A property whose value is
 * `undefined` is left out of the copy, as JSON leaves it out. Everything else throws
 * {@link NotPlainJsonError}: `undefined` elsewhere, `NaN`/`Infinity`, a BigInt, a Symbol, a
 * function, a `Date`, a `Map`, a typed array (a `Uint8Array` too: the runner itself turns bytes
 * into data URLs before it persists items), a class instance, a getter, a non-enumerable or
 * Symbol-keyed property, a sparse array, a cycle, a `Proxy`.
 */
export function plainJsonCopy(value: unknown): unknown {
  try {
    const copy = copyPlain(value, new Set());
    // A Proxy reads like its target to the walk; structuredClone refuses it (as the SDK's
    // MemorySession checks), and its own error message could quote the data.
    structuredClone(value);
    return copy;
  } catch {
    throw new NotPlainJsonError();
  }
}

function copyPlain(value: unknown, ancestors: Set<object>): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value !== "object") throw new NotPlainJsonError();
  if (ancestors.has(value)) throw new NotPlainJsonError();
  ancestors.add(value);
  try {
    return Array.isArray(value) ? copyArray(value, ancestors) : copyObject(value, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function copyArray(array: unknown[], ancestors: Set<object>): unknown[] {
  // Every index present and nothing else besides `length`: no hole, no extra property.
  if (Reflect.ownKeys(array).length !== array.length + 1) throw new NotPlainJsonError();
  const copy: unknown[] = [];
  for (let index = 0; index < array.length; index++) {
    copy.push(copyPlain(dataProperty(array, String(index)), ancestors));
  }
  return copy;
}

function copyObject(object: object, ancestors: Set<object>): Record<string, unknown> {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) throw new NotPlainJsonError();
  const copy: Record<string, unknown> = {};
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key !== "string") throw new NotPlainJsonError();
    const entry = dataProperty(object, key);
    if (entry === undefined) continue;
    // defineProperty, so an own "__proto__" key stays a key (as JSON.parse makes it).
    Object.defineProperty(copy, key, {
      value: copyPlain(entry, ancestors),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** The value of an own enumerable data property; a getter is never called. */
function dataProperty(object: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  if (!descriptor?.enumerable || !("value" in descriptor)) throw new NotPlainJsonError();
  return descriptor.value;
}

export const NOT_PLAIN_ITEMS =
  "Session items contain invalid or unsupported data (a store keeps plain JSON: no Date, typed array, Symbol, BigInt, getter, cycle or Proxy).";

/** Copies of `items`, or a `UserError` before anything is written when they are not plain JSON. */
export function plainItems(items: readonly unknown[]): AgentInputItem[] {
  if (!Array.isArray(items)) throw new UserError(NOT_PLAIN_ITEMS);
  try {
    return plainJsonCopy(items) as AgentInputItem[];
  } catch {
    throw new UserError(NOT_PLAIN_ITEMS);
  }
}
