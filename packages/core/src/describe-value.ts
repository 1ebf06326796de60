/**
 * How an error message shows a value it refuses, so the reader sees what was given, type
 * included: `60`, `the string "60"`, `the boolean true`, `null`, `undefined`,
 * `an array [1,2]`, `an object {"seconds":60}` (JSON cut at 40 characters).
 */
export function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `the string ${cut(JSON.stringify(value))}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (typeof value === "bigint") return `the bigint ${value}n`;
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object") return `a ${typeof value}`;
  const kind = Array.isArray(value) ? "an array" : "an object";
  try {
    const json = JSON.stringify(value);
    return json === undefined ? kind : `${kind} ${cut(json)}`;
  } catch {
    return kind; // a cycle, a BigInt inside
  }
}

const cut = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** What {@link assertNumberOption} asks of a number. */
export interface NumberRule {
  /** The store's name in the message (`"upstash"`), for an adapter's option. */
  store?: string;
  /** The least value allowed; when omitted, any number above 0. */
  atLeast?: number;
  /** A whole number only. Default false. */
  integer?: boolean;
}

/**
 * Checks a number option (a timeout, a delay, a count): finite, above 0 or at least
 * `rule.atLeast`, whole when `rule.integer`.
 * @throws RangeError naming the option and showing the value given ({@link describeValue}).
 */
export function assertNumberOption(
  name: string,
  value: unknown,
  rule: NumberRule = {},
): asserts value is number {
  const { store, atLeast, integer = false } = rule;
  const valid =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (atLeast === undefined ? value > 0 : value >= atLeast) &&
    (!integer || Number.isInteger(value));
  if (valid) return;
  const kind = integer ? "an integer" : "a number";
  const wanted =
    atLeast === undefined
      ? `a positive ${integer ? "integer" : "number"}`
      : `${kind} >= ${atLeast}`;
  const where = store === undefined ? "" : ` [${store}]`;
  throw new RangeError(
    `[agents-memory]${where} ${name} must be ${wanted}, got ${describeValue(value)}`,
  );
}
