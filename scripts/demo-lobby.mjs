// Joins a room through the demo page's lobby, as a person does: a shared link (/?room=R) fills in
// the room, and joining takes a click on Join. Used by the benches and the screenshot script.

/** Opens `${url}/?room=${room}` in `page`, types `name` when given, and clicks Join. */
export async function joinFromLobby(page, url, room, { name } = {}) {
  await page.goto(`${url}/?room=${encodeURIComponent(room)}`);
  // demo.js has attached its handlers once the tags are defined (it imports them first).
  await page.waitForFunction(() => !!customElements.get('rtc-room'));
  if (name !== undefined) await page.fill('#name-input', name);
  await page.click('#join-button');
}
