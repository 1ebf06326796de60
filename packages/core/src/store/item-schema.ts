import { protocol } from "@openai/agents";

/*
 * Stored items are checked against the SDK's own item schemas (`protocol.ModelItem` in
 * `@openai/agents-core`), so that an element another program wrote (`{"foo":1}`, a role
 * `wizard`, a numeric `content`) never reaches the runner, where the model would reject the
 * whole input on every reply to that branch. Each item is checked against the one schema its
 * `type` (or, for a message, its `role`) names, not the whole union: the union tries its
 * options one by one, three times the cost of JSON.parse; the dispatched check adds about a
 * tenth (see the core README, "Validation on read").
 */

interface Schema {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> };
  };
}

interface Tables {
  /** Non-message items by `type`. */
  byType: Map<string, Schema>;
  /** Message items (no `type`, or `message`) by `role`. */
  byRole: Map<string, Schema>;
  /** Options whose discriminator could not be read: checked in turn, as the union would. */
  others: Schema[];
}

let tables: Tables | undefined;

/** The literal a field's schema accepts (through an optional), or undefined. */
function literalOf(schema: unknown): string | undefined {
  let current = schema as { unwrap?: () => unknown; value?: unknown } | undefined;
  for (let depth = 0; current && depth < 3; depth++) {
    try {
      if (typeof current.value === "string") return current.value;
    } catch {
      return undefined; // a literal of several values
    }
    current =
      typeof current.unwrap === "function" ? (current.unwrap() as typeof current) : undefined;
  }
  return undefined;
}

function buildTables(): Tables {
  const built: Tables = { byType: new Map(), byRole: new Map(), others: [] };
  const union = protocol.ModelItem as unknown as { options?: unknown[] };
  for (const option of union.options ?? []) {
    const schema = option as Schema & { shape?: Record<string, unknown> };
    const type = literalOf(schema.shape?.type);
    const role = literalOf(schema.shape?.role);
    if (type === "message" && role !== undefined && !built.byRole.has(role)) {
      built.byRole.set(role, schema);
    } else if (type !== undefined && type !== "message" && !built.byType.has(type)) {
      built.byType.set(type, schema);
    } else {
      built.others.push(schema);
    }
  }
  if (built.byType.size === 0 && built.byRole.size === 0) {
    // An SDK whose schemas this cannot read: the whole union, slower but as strict.
    built.others = [protocol.ModelItem as unknown as Schema];
  }
  return built;
}

/**
 * Why `value` is not an item the SDK accepts as input (`protocol.ModelItem`), or undefined when
 * it is one. The reason names the item's type or role and the first field that failed, e.g.
 * `message (role "wizard"): not a role the SDK knows` or `message (user): content: Invalid input`.
 */
export function itemProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return "not a JSON object";
  }
  tables ??= buildTables();
  const { type, role } = value as { type?: unknown; role?: unknown };
  const isMessage = type === undefined || type === "message";
  const schema = isMessage
    ? typeof role === "string"
      ? tables.byRole.get(role)
      : undefined
    : typeof type === "string"
      ? tables.byType.get(type)
      : undefined;
  if (schema) {
    const result = schema.safeParse(value);
    if (result.success) return undefined;
    const issue = result.error?.issues[0];
    const where = isMessage ? `message (${String(role)})` : String(type);
    return issue
      ? `${where}: ${issue.path.map(String).join(".") || "item"}: ${issue.message}`
      : where;
  }
  for (const other of tables.others) if (other.safeParse(value).success) return undefined;
  if (!isMessage) return `type ${JSON.stringify(type)}: not an item type the SDK knows`;
  return role === undefined
    ? "neither a type nor a role"
    : `message (role ${JSON.stringify(role)}): not a role the SDK knows`;
}
