// One-at-a-time: every function handed to `run` starts after the previous one settled
// (whatever its outcome). A Durable Object's input gate keeps storage-only sequences
// apart, but not those that await another object, D1 or a queue: its read-modify-writes
// go through one of these.
export class Serial {
  private chain: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
