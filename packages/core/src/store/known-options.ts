/*
 * Unknown options are refused: a misspelt `ttl` (for `ttlSeconds`) given from plain JS would
 * otherwise be ignored, and the history would never expire, with nobody told.
 */

/**
 * The names of an options interface, from an object naming each one `true`. Give the interface
 * as `T`: TypeScript refuses the object when the interface gains a field it lacks, or when it
 * names one the interface does not have, so the list cannot drift from the type.
 */
export function optionNames<T extends object>(
  names: {
    [K in keyof Required<T>]: true;
  },
): readonly string[] {
  return Object.freeze(Object.keys(names));
}

/** Where {@link assertKnownOptions} is, for its message. */
export interface KnownOptionsContext {
  /** The component in the message's brackets (`"StoreSession"`, `"ioredis"`). Default none. */
  where?: string;
  /** Prepended to every name shown, for a nested object (`"summary."`). Default `""`. */
  path?: string;
}

/**
 * Refuses option names not in `known`, all of them in one message, each with the known name
 * it is probably a misspelling of (same letters in another case, a prefix of it or it of
 * them, or one or two letters off); when one has no such name, the message lists the known
 * ones. A name given as `undefined` counts too: a typo is a typo. `options` that is not an
 * object is left to the caller's own checks.
 * @throws TypeError `[agents-memory] [where] unknown option "ttl" (did you mean "ttlSeconds"?)`.
 */
export function assertKnownOptions(
  options: unknown,
  known: readonly string[],
  context: KnownOptionsContext = {},
): void {
  if (options === null || typeof options !== "object") return;
  const unknown = Object.keys(options).filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  const { where, path = "" } = context;
  let unmatched = false;
  const named = unknown.map((name) => {
    const match = closestName(name, known);
    if (match === undefined) unmatched = true;
    const shown = JSON.stringify(path + name);
    return match === undefined ? shown : `${shown} (did you mean ${JSON.stringify(path + match)}?)`;
  });
  const noun = unknown.length === 1 ? "option" : "options";
  const list = unmatched ? `; the options are ${known.map((name) => path + name).join(", ")}` : "";
  const prefix = where === undefined ? "[agents-memory]" : `[agents-memory] [${where}]`;
  throw new TypeError(`${prefix} unknown ${noun} ${named.join(", ")}${list}`);
}

/** The known name `name` is most likely a misspelling of, or undefined when none is close. */
function closestName(name: string, known: readonly string[]): string | undefined {
  const given = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const score = closeness(given, candidate.toLowerCase());
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/**
 * How close two lower-cased names are, lower is closer: 0 the same, 1–2 letters off, 3 one
 * a prefix of the other (`ttl`, `ttlseconds`; the shorter at least 3 letters); Infinity: not
 * close. Letters off: the edit distance with swaps, allowed 1 for names of 5 letters or
 * fewer, else 2 (so `ttl` is not taken for `url`).
 */
function closeness(given: string, candidate: string): number {
  if (given === candidate) return 0;
  const distance = editDistance(given, candidate);
  const allowed = Math.min(given.length, candidate.length) <= 5 ? 1 : 2;
  if (distance <= allowed) return distance;
  const [shorter, longer] =
    given.length <= candidate.length ? [given, candidate] : [candidate, given];
  if (shorter.length >= 3 && longer.startsWith(shorter)) return 3;
  return Number.POSITIVE_INFINITY;
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
