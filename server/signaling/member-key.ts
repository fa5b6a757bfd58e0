/**
 * The key of one member of one room (`room\nid`), for maps of members across rooms. A newline
 * cannot appear in a room name or a member id (protocol/ refuses control characters), so the key
 * is unambiguous; the Redis store's Lua scripts build the same form.
 */
export function memberKey(room: string, id: string): string {
  return `${room}\n${id}`;
}

/** The room and member id of a key made by `memberKey`. */
export function parseMemberKey(key: string): { room: string; id: string } {
  const at = key.lastIndexOf('\n');
  if (at < 0) throw new TypeError('not a member key');
  return { room: key.slice(0, at), id: key.slice(at + 1) };
}
