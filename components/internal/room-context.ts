import { createContext } from '@lit/context';
import type { RemoteSlots } from './remote-slots.js';
import type { RemotePeer, RoomSession, RoomStatus } from '../core/room-session.js';

/** What `<rtc-room>` shares with the elements inside it. Replaced whole on every change. */
export interface RoomState {
  readonly status: RoomStatus;
  readonly session: RoomSession | null;
  readonly localStream: MediaStream | null;
  readonly peers: ReadonlyMap<string, RemotePeer>;
  /** Per-member sound control (the `<rtc-room>` plays every member's audio), and leaving. */
  readonly room: { setPeerMuted(peerId: string, muted: boolean): void; leave(): Promise<void> } | null;
  /** Hands out the other members to `<rtc-remote-video>` elements. Stable for the room's lifetime. */
  readonly slots: RemoteSlots;
}

export const roomContext = createContext<RoomState>(Symbol('rtc-room'));

/** The state shared for `session` (or none): a new object every time, keeping the room's slot registry. */
export function roomSnapshot(room: RoomState['room'], session: RoomSession | null, slots: RemoteSlots): RoomState {
  return {
    status: session?.status ?? 'idle',
    session,
    localStream: session?.localStream ?? null,
    peers: session?.peers ?? new Map(),
    room,
    slots,
  };
}
