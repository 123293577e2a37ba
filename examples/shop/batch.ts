/** Answers a batch read: the found items in the order asked, and the ids that do not exist. */
export function batchAnswer<T extends { id: string }, J>(
  wanted: readonly string[],
  found: readonly T[],
  render: (item: T) => J,
): { items: J[]; missing: string[] } {
  const byId = new Map(found.map((item) => [item.id, item]));
  const items: J[] = [];
  const missing: string[] = [];
  for (const id of wanted) {
    const item = byId.get(id);
    if (item) items.push(render(item));
    else missing.push(id);
  }
  return { items, missing };
}
