// A web-test-runner reporter that prints one plain "browser: N passed, N failed, N skipped" line at
// exit, which scripts/test.mjs (and CI's log reader) count.

export function countsReporter() {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  const walk = (suite) => {
    if (!suite) return;
    for (const t of suite.tests) counts[t.skipped ? 'skipped' : t.passed ? 'passed' : 'failed']++;
    for (const s of suite.suites) walk(s);
  };
  return {
    onTestRunFinished({ sessions }) {
      for (const s of sessions) {
        const before = counts.passed + counts.failed + counts.skipped;
        walk(s.testResults);
        // a file that failed without running a test (e.g. an import error) counts as one failure
        const ran = counts.passed + counts.failed + counts.skipped - before;
        if (!s.passed && ran === 0 && s.errors?.length) counts.failed++;
      }
    },
    stop() {
      process.once('exit', () =>
        process.stdout.write(`browser: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`),
      );
    },
  };
}
