import { describe, expect, it } from 'vitest';
import { dryRun } from '../../../src/drivers/live/dry-run.ts';
import { LeakyBucket, orderCalls } from '../../../src/drivers/live/rate-limiter.ts';

describe('rate limiter', () => {
  it('when a read left the bucket in debt then a read waits but an order call goes at once', async () => {
    let t = 0;
    const bucket = new LeakyBucket(1 / 50, 1, () => t); // ccxt binance: one token per 50 ms
    await bucket.take(5); // a depth poll: 250 ms of debt
    let readDone = false;
    void bucket.take(1).then(() => (readDone = true));
    let orderDone = false;
    await orderCalls.run(true, () => bucket.take(1).then(() => (orderDone = true)));
    expect(orderDone, 'the order does not queue behind the read').toBe(true);
    expect(readDone).toBe(false);
  });

  it('when orders alone overdraw more than a second of budget then they wait too', async () => {
    let t = 0;
    const bucket = new LeakyBucket(1 / 50, 1, () => t);
    let sent = 0;
    for (let i = 0; i < 30; i++) void orderCalls.run(true, () => bucket.take(1).then(() => sent++));
    await new Promise((r) => setImmediate(r));
    // Debt may reach 1000 ms × 1/50 = 20 tokens: the first 21 go (the first starts from 0), the rest wait.
    expect(sent).toBe(21);
  });
});

describe('rate limiter and dry runs', () => {
  it('when calls run dry then they pass at once and leave the budget as it was', async () => {
    const t = 0;
    const bucket = new LeakyBucket(1 / 50, 1, () => t); // the clock stands still: nothing refills
    let dry = 0;
    await dryRun(async () => {
      for (let i = 0; i < 100; i++) await bucket.take(5).then(() => dry++);
    });
    expect(dry).toBe(100);
    // Untouched by the dry calls: the first real call goes from a balance of 0, the next waits.
    let first = false;
    await bucket.take(1).then(() => (first = true));
    let second = false;
    void bucket.take(1).then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    expect(first).toBe(true);
    expect(second, 'the second real call waits: the bucket still counts real calls').toBe(false);
  });
});
