/**
 * `compute` run once per AST node, its result kept for as long as the node lives. Apollo
 * Server hands every request with the same query text the same parsed document, so what
 * depends on the document alone is worked out once, not on every request.
 */
export function oncePerNode<Node extends object, Value>(compute: (node: Node) => Value): (node: Node) => Value {
  const results = new WeakMap<Node, Value>();
  return (node) => {
    if (!results.has(node)) results.set(node, compute(node));
    return results.get(node) as Value;
  };
}
