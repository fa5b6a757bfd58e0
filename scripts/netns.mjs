// Runs a command inside a loopback-only network namespace when this machine allows it (root with
// unshare and ip), so WebRTC in the tests and benchmarks can only use 127.0.0.1. Elsewhere (a
// laptop without root) the caller runs plainly. RTC_NETNS=0 turns it off.
import { spawnSync } from 'node:child_process';

export function canUseNetns() {
  if (process.env.RTC_NETNS === '0' || process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
}

/** Re-runs `node <script> <marker> ...args` inside the namespace; returns its exit status. */
export function rerunInNetns(script, marker, args = []) {
  const quoted = [script, marker, ...args].map((a) => `'${String(a).replaceAll("'", "'\\''")}'`).join(' ');
  const result = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec node ${quoted}`], { stdio: 'inherit' });
  return result.status ?? 1;
}
