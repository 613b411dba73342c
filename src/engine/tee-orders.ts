/**
 * A run sink that also keeps the last record of every order by client id: what tradeflow believed of
 * each order at the end, which a failure report checks against the venue's truth.
 */
import type { OrderRecord, RunSink } from '../domain/run-result.ts';

export function teeOrderRecords<S extends RunSink>(sink: S, into: Map<string, OrderRecord>): S {
  return new Proxy(sink, {
    get(target, prop, receiver) {
      if (prop === 'order') {
        return (rec: OrderRecord) => {
          into.set(rec.clientId, rec);
          target.order(rec);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
