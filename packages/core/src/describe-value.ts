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
