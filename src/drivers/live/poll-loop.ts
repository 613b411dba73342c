/**
 * Runs a poll every `intervalMs`, but only while there is work (open orders): an idle driver sends
 * nothing. One poll at a time; a poll that overruns the interval delays the next, never stacks.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly poll: () => Promise<void>,
    private readonly hasWork: () => boolean,
  ) {}

  /** Schedules the next poll if there is work and none is pending. Safe to call often. */
  kick(): void {
    if (this.stopped || this.timer || this.running || !this.hasWork()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = true;
      void this.poll()
        .catch(() => undefined) // polls report their own failures
        .finally(() => {
          this.running = false;
          this.kick();
        });
    }, this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
