/**
 * Whether an SDP offers or answers to send audio or video: some audio/video m-section whose
 * direction (its own `a=` line, else the session's, else the default `sendrecv`, RFC 8866 §6.7)
 * is `sendrecv` or `sendonly`, and that is not rejected (port 0 without `a=bundle-only`).
 */
export function sdpSendsMedia(sdp: string): boolean {
  const [session = '', ...sections] = sdp.split(/\r?\n(?=m=)/);
  const direction = (text: string) => /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(text)?.[1];
  const sessionDirection = direction(session) ?? 'sendrecv';
  return sections.some((section) => {
    const m = /^m=(\w+) (\d+)/.exec(section);
    if (!m || (m[1] !== 'audio' && m[1] !== 'video')) return false;
    if (m[2] === '0' && !/^a=bundle-only\s*$/m.test(section)) return false;
    const dir = direction(section) ?? sessionDirection;
    return dir === 'sendrecv' || dir === 'sendonly';
  });
}
