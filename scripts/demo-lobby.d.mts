import type { Page } from 'playwright-core';

/** Opens `${url}/?room=${room}` in `page`, types `name` when given, and clicks Join. */
export function joinFromLobby(page: Page, url: string, room: string, options?: { name?: string }): Promise<void>;
