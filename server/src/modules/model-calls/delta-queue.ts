// Hands text deltas from the upstream reader to the response writer. Deltas that arrive before the
// writer starts reading are kept, so none is lost between "the provider answered" and "we stream".
export class DeltaQueue implements AsyncIterable<string> {
  private items: string[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  static empty(): DeltaQueue {
    const q = new DeltaQueue();
    q.end();
    return q;
  }

  push(text: string) {
    this.items.push(text);
    this.wake?.();
  }

  end() {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    }
  }
}
