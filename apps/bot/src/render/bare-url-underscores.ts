import type { Link, Nodes, Parents, Root, Text } from "mdast";

/**
 * GFM ends a bare URL before trailing `_` (so that `_see https://x.y_` is emphasis around a
 * link), which turns `https://docs.python.org/3/reference/datamodel.html#object.__init__` into
 * a link to `…#object.__init` followed by the text `__`. When the parser left those underscores
 * as text (they closed no emphasis), they were part of the URL the writer meant: move them
 * back into the link's target and label. Works in place on a tree from `parseMarkdown`.
 */
export function keepUnderscoresOfBareUrls(tree: Root): void {
  visitParents(tree, (parent) => {
    const children = parent.children as Nodes[];
    for (let i = 0; i + 1 < children.length; i++) {
      const link = children[i]!;
      const next = children[i + 1]!;
      if (link.type !== "link" || next.type !== "text" || !isBareUrl(link)) continue;
      const underscores = /^_+/.exec(next.value)?.[0];
      if (!underscores || next.position?.start.offset !== link.position?.end.offset) continue;
      const label = link.children[0] as Text;
      link.url += underscores;
      label.value += underscores;
      next.value = next.value.slice(underscores.length);
      shiftEnd(link, underscores.length);
      shiftEnd(label, underscores.length);
      if (next.position) {
        next.position.start.offset = (next.position.start.offset ?? 0) + underscores.length;
        next.position.start.column += underscores.length;
      }
      if (next.value === "") {
        children.splice(i + 1, 1);
      }
    }
  });
}

/** A GFM autolink literal: its one text child covers exactly the link's own source. */
function isBareUrl(link: Link): boolean {
  const [label, ...rest] = link.children;
  return (
    rest.length === 0 &&
    label?.type === "text" &&
    label.position?.start.offset === link.position?.start.offset &&
    label.position?.end.offset === link.position?.end.offset
  );
}

function shiftEnd(node: Nodes, by: number): void {
  if (!node.position) return;
  node.position.end.offset = (node.position.end.offset ?? 0) + by;
  node.position.end.column += by;
}

function visitParents(node: Nodes, visit: (parent: Parents) => void): void {
  if (!("children" in node)) return;
  visit(node);
  for (const child of node.children) visitParents(child, visit);
}
