/**
 * The bridge from batched async sources to RxJS.
 *
 * `fromBatches` emits the records of a batch synchronously, one `next` each, and pulls the next batch
 * only once the current one is fully emitted: the source is never read ahead of the subscriber (a
 * slow or finished subscriber never makes a file get read for nothing), and operators downstream see
 * plain synchronous emissions within a batch, which is where RxJS is fast.
 */
import { Observable } from 'rxjs';

export function fromBatches<T>(batches: AsyncIterable<T[]>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const it = batches[Symbol.asyncIterator]();
    let stopped = false;
    let finished = false;

    const pump = async (): Promise<void> => {
      try {
        while (!subscriber.closed) {
          const r = await it.next();
          if (r.done) {
            finished = true;
            subscriber.complete();
            return;
          }
          const batch = r.value;
          for (let i = 0; i < batch.length; i++) {
            // take(n) and friends may unsubscribe mid-batch; next() would then be a no-op, so just
            // skip the rest of the batch.
            if (subscriber.closed) return;
            subscriber.next(batch[i]!);
          }
        }
      } catch (err) {
        finished = true;
        subscriber.error(err);
      }
    };
    void pump();

    return () => {
      if (stopped || finished) return;
      stopped = true;
      // Ends the source (closes its file). If a next() is pending, async generators queue this
      // after it; errors from closing are of no interest to a subscriber that has left.
      it.return?.().catch(() => {});
    };
  });
}
