/** What a session description would do with audio and video, as a browser applying it would see it. */
export type SdpSending = 'sends' | 'silent' | 'ambiguous';

/** A line that a lenient parser might take for a direction attribute (checked first, then exactly). */
const DIRECTION_LIKE = /^a=(sendrecv|sendonly|recvonly|inactive)/i;
const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)$/;

/**
 * Whether an SDP offers or answers to send media, judged the safe way for a receive-only member:
 *
 * - Lines are split as Chrome splits them (on LF, one trailing CR removed; text after the last LF
 *   is no line), so a bare CR or a missing line end cannot hide a line from one parser and show
 *   it to another.
 * - Every m-section counts except `m=application` (data channels) and rejected ones (port 0
 *   without `a=bundle-only`).
 * - A section with no direction line is `sendrecv` (RFC 8866 §6.7). A session-level direction is
 *   ignored: it protects nothing, since a section's own line (or its absence) is what counts.
 * - More than one direction-like line in a section, or one that is not exactly `a=<direction>`,
 *   is `ambiguous`: parsers disagree on which one wins (Chrome applies the last).
 *
 * `ambiguous` wins over `sends`, which wins over `silent`.
 */
export function sdpSending(sdp: string): SdpSending {
  const lines = sdp.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  lines.pop(); // what follows the last LF is no line for Chrome (it ignores or refuses it): not for us either
  const sections: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push([line]);
    else sections.at(-1)?.push(line);
  }
  let result: SdpSending = 'silent';
  for (const [mLine = '', ...attributes] of sections) {
    if (mLine.startsWith('m=application ')) continue;
    if (/^m=\S+ 0 /.test(mLine) && !attributes.some((line) => line.startsWith('a=bundle-only'))) continue;
    const directions = attributes.filter((line) => DIRECTION_LIKE.test(line));
    if (directions.length > 1) return 'ambiguous';
    const direction = directions.length === 0 ? 'sendrecv' : DIRECTION.exec(directions[0]!)?.[1];
    if (direction === undefined) return 'ambiguous';
    if (direction === 'sendrecv' || direction === 'sendonly') result = 'sends';
  }
  return result;
}

/** Whether an SDP might send audio or video (`ambiguous` counts as sending). */
export function sdpSendsMedia(sdp: string): boolean {
  return sdpSending(sdp) !== 'silent';
}
