import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCliArgs, UsageError } from './cli-args.js';

/** The UsageError message of `args`. */
function refusal(args: string[]): string {
  try {
    parseCliArgs(args);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`accepted ${args.join(' ')}`);
}

describe('parseCliArgs (strict)', () => {
  it('serves by default, with --port/-p and --host overriding the environment', () => {
    assert.deepEqual(parseCliArgs([]), { kind: 'serve' });
    assert.deepEqual(parseCliArgs(['--port', '4000', '--host=0.0.0.0']), { kind: 'serve', port: '4000', host: '0.0.0.0' });
    assert.deepEqual(parseCliArgs(['-p', '0']), { kind: 'serve', port: '0' });
  });

  it('takes --help/-h and --version/-v, help first', () => {
    assert.deepEqual(parseCliArgs(['--version']), { kind: 'version' });
    assert.deepEqual(parseCliArgs(['-v']), { kind: 'version' });
    assert.deepEqual(parseCliArgs(['-h', '--version']), { kind: 'help' });
  });

  it('refuses an unknown flag, a stray argument or a missing value in one line naming it', () => {
    for (const [args, named] of [
      [['--prot', '4000'], "unknown option '--prot'"],
      [['-x'], "unknown option '-x'"],
      [['4000'], "unexpected argument '4000'"],
      [['--port'], "'-p, --port <value>' argument missing"],
    ] as const) {
      const message = refusal([...args]);
      assert.ok(message.includes(named), message);
      assert.doesNotMatch(message, /\n/);
      assert.match(message, /\(see rtc-room-server --help\)$/);
    }
  });
});
