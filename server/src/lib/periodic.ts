// A background job in every process: one pass now, then one every intervalMs, never two at once
// (a slow pass makes the next one wait its turn rather than pile up). Timers are unref'd, so a job
// never keeps a stopping process alive. Answers a function that stops it.
export function startPeriodic(intervalMs: number, pass: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await pass();
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
