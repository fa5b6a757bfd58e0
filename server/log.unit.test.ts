import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogLine } from './log.js';

const at = new Date(2026, 0, 2, 12, 3, 4).getTime();

describe('formatLogLine (the CLI log on a terminal)', () => {
  it('writes time, level, message and the other fields as key=value', () => {
    const line = JSON.stringify({
      level: 30,
      time: at,
      pid: 1,
      hostname: 'h',
      msg: 'rtc-room listening',
      redis: false,
      origins: ['a', 'b'],
      ice: 'static',
    });
    assert.equal(formatLogLine(line), '12:03:04 INFO  rtc-room listening redis=false origins=["a","b"] ice=static\n');
  });

  it('puts an error’s stack under its line, indented, and quotes values with spaces', () => {
    const line = JSON.stringify({
      level: 50,
      time: at,
      msg: 'failed',
      why: 'two words',
      err: { message: 'boom', stack: 'Error: boom\n    at x' },
    });
    assert.equal(formatLogLine(line), '12:03:04 ERROR failed why="two words"\n  Error: boom\n      at x\n');
  });

  it('colours the level only when asked, and passes a line that is not JSON through', () => {
    assert.match(formatLogLine(JSON.stringify({ level: 40, time: at, msg: 'm' }), true), /\x1b\[33mWARN /);
    assert.equal(formatLogLine('plain'), 'plain\n');
  });
});
