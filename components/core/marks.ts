/**
 * Timing marks for the call-start bench (`scripts/bench-start.mjs`): `performance.mark('rtc:<name>')`
 * at each step of a call's start, only on a page that opts in with `globalThis.RTC_ROOM_MARKS = true`
 * (the bench's pages do). Elsewhere a mark is one property read.
 */
export type MarkName = 'module' | 'socket-open' | 'join-answer' | 'camera-ready' | 'offer-sent' | 'answer-received' | 'ice-connected';

export function mark(name: MarkName): void {
  if ((globalThis as { RTC_ROOM_MARKS?: boolean }).RTC_ROOM_MARKS) performance.mark(`rtc:${name}`);
}
