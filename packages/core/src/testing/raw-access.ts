import { parseChainLink } from "../store/chain-link";

/** What a raw key holds, as planted or seen by an independent reader of the backend. */
export type RawValue =
  | {
      /** A list: the layout every store writes. */
      type: "list";
      /** Its raw elements, oldest first (one JSON object per item, or planted garbage). */
      elements: string[];
    }
  | {
      /** A plain string: a legacy value (a JSON array, as the Python bot wrote it) or garbage. */
      type: "string";
      /** The string as stored. */
      value: string;
    }
  | {
      /** A value of another type (a Redis hash, say): the store must read it as empty. */
      type: "other";
    };

/**
 * Reads and writes the backend directly, not through the store under test (for Redis: a
 * separate client), so the suite checks what was really written.
 */
export interface RawAccess {
  /** `list`, `string`, `none`, or the backend's name for another type. */
  type(key: string): Promise<string>;
  /** Remaining TTL in seconds; -2 when the key is missing, -1 when it has no TTL. */
  ttlSeconds(key: string): Promise<number>;
  /** The raw elements of a list key, oldest first. */
  elements(key: string): Promise<string[]>;
  /** Every key that starts with `prefix`. */
  keys(prefix: string): Promise<string[]>;
  /**
   * Puts a raw value under `key` (legacy strings, malformed elements, foreign types), with a
   * TTL in seconds when given (none otherwise).
   */
  plant(key: string, value: RawValue, ttlSeconds?: number): Promise<void>;
  /**
   * Optional: the operation record `transact` keeps with the history under `key` (operationId
   * -> fingerprint; null when none) and its remaining TTL in seconds (-2 missing, -1 none).
   * The `transactions` group checks it where given.
   */
  operations?(key: string): Promise<RawOperations>;
}

/** The operation record kept with a history, as {@link RawAccess.operations} reads it. */
export interface RawOperations {
  /** operationId -> fingerprint; null when no record is kept. */
  records: Record<string, string> | null;
  /** Remaining TTL in seconds: -2 when missing, -1 when it never expires. */
  ttlSeconds: number;
}

/**
 * The history under a key as the raw reader sees it, following chain links (see
 * `store/chain-link.ts`): the newest `take` of the parent's history, then the key's own
 * elements. Lists only; a key seen twice ends the walk.
 */
export async function rawHistory(
  raw: RawAccess,
  key: string,
  seen = new Set<string>(),
): Promise<string[]> {
  if (seen.has(key) || (await raw.type(key)) !== "list") return [];
  seen.add(key);
  const elements = await raw.elements(key);
  const link = parseChainLink(elements[0]);
  if (!link) return elements;
  const parent = link.take > 0 ? (await rawHistory(raw, link.parent, seen)).slice(-link.take) : [];
  return [...parent, ...elements.slice(1)];
}
