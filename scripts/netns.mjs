// Runs a command inside a loopback-only network namespace when this machine allows it (root with
// unshare and ip), so WebRTC in the tests and benchmarks can only use 127.0.0.1. Elsewhere (a
// laptop without root) the caller runs plainly. RTC_NETNS=0 turns it off.
import { spawnSync } from 'node:child_process';

export function canUseNetns() {
  if (process.env.RTC_NETNS === '0' || process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
}

/**
 * A port-less bridge holding 127.0.0.2: Janus gathers no ICE candidates on a loopback-flagged
 * device, and this one is not (no route is added; traffic stays in 127.0.0.0/8, inside the
 * namespace). A failure leaves the namespace as it was: the SFU browser tests then skip.
 */
export const LAB_BRIDGE =
  '{ { ip link add lab0 type bridge && ip addr add 127.0.0.2/32 dev lab0 && ip link set lab0 up; } 2>/dev/null || true; }';

/** Re-runs `node <script> <marker> ...args` inside the namespace; returns its exit status. */
export function rerunInNetns(script, marker, args = []) {
  const quoted = [script, marker, ...args].map((a) => `'${String(a).replaceAll("'", "'\\''")}'`).join(' ');
  const result = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && ${LAB_BRIDGE} && exec node ${quoted}`], {
    stdio: 'inherit',
  });
  return result.status ?? 1;
}
