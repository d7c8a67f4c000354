// The in-page half of bench/web-responsiveness.ts: a timer due every 50 ms records how late it
// fires (how long the main thread was busy when it was due, which is what a key press would
// wait), and a PerformanceObserver records long tasks (over 50 ms). Kept as source text because
// tsx's esbuild adds __name() helpers to functions, which do not exist in the page.
import type { Page } from 'playwright-core';

export const PROBE_PERIOD_MS = 50;

export interface ProbeRecord {
  /** How long the probe ran, ms. */
  ms: number;
  /** Lateness of each timer callback, ms. */
  delays: number[];
  /** Durations of the long tasks that started while the probe ran, ms. */
  tasks: number[];
}

const INSTALL = `(() => {
  const start = performance.now();
  const delays = [];
  const tasks = [];
  const keep = (entries) => { for (const e of entries) if (e.startTime >= start) tasks.push(e.duration); };
  const observer = new PerformanceObserver((list) => keep(list.getEntries()));
  observer.observe({ type: 'longtask', buffered: true });
  // Each timer measures from when it was set, so one late callback does not make the next look late.
  let expected = start + ${PROBE_PERIOD_MS};
  const tick = () => {
    const now = performance.now();
    delays.push(now - expected);
    expected = now + ${PROBE_PERIOD_MS};
    timer = setTimeout(tick, ${PROBE_PERIOD_MS});
  };
  let timer = setTimeout(tick, ${PROBE_PERIOD_MS});
  window.__benchProbe = () => {
    clearTimeout(timer);
    keep(observer.takeRecords());
    observer.disconnect();
    return { ms: performance.now() - start, delays, tasks };
  };
})()`;

/** Starts the probe in the page; the function returned stops it and reads what it recorded. */
export async function startProbe(page: Page): Promise<() => Promise<ProbeRecord>> {
  await page.evaluate(INSTALL);
  return () => page.evaluate<ProbeRecord>('window.__benchProbe()');
}
