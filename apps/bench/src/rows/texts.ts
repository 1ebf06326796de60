/** The text of a stored item (user: `content`; assistant: `content[0].text`), for checks. */
export function itemText(item: unknown): string {
  const content = (item as { content?: unknown })?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return String((content[0] as { text?: unknown })?.text ?? "");
  return "";
}
