/**
 * Child process for crash.spec.ts: writes orders to a journal as fast as it can until it is killed
 * with SIGKILL. After each journal call returns it reports it on stdout, so the parent knows what the
 * journal promised to keep:
 *   I <clientId>            recordIntent returned
 *   T <clientId> <status>   recordTransition returned
 *   F <tradeId>             recordFill returned true
 * On start it resumes like a restarted run: continues the client-id sequence from the journal and
 * resolves the orders an earlier kill left open.
 *
 * Usage: node --import tsx test/journal/crash-writer.ts <journal file> <client-id prefix> <seed>
 */
import { writeSync } from 'node:fs';
import { seededRandom } from '../../src/core/random.ts';
import { ClientIdFactory } from '../../src/domain/client-ids.ts';
import type { OrderStatus } from '../../src/domain/types.ts';
import { SqliteJournal } from '../../src/journal/sqlite-journal.ts';
import { fill, intent } from './fixtures.ts';

const [file, prefix, seedArg] = process.argv.slice(2);
if (!file || !prefix || !seedArg) throw new Error('usage: crash-writer.ts <file> <prefix> <seed>');
const rnd = seededRandom(Number(seedArg));
// Synchronous writes to the pipe: a line is out before the next journal call starts. Inside a batch
// nothing is promised until the batch returns, so lines wait in `pending` until then.
let pending: string[] | undefined;
const say = (line: string): void => {
  if (pending) pending.push(line);
  else writeSync(1, `${line}\n`);
};

const journal = new SqliteJournal(file);
journal.open(`crash-${prefix}`);
const ids = new ClientIdFactory(prefix, journal.lastClientSeq(prefix));
let ts = Date.now();

function transition(clientId: string, status: OrderStatus, exchangeId?: string): void {
  journal.recordTransition(clientId, status, ++ts, status === 'unknown' ? 'timeout after send' : undefined, exchangeId);
  say(`T ${clientId} ${status}`);
}

// What a restart does once reconciliation has asked the venue: settle every unresolved order.
for (const o of journal.openOrders()) transition(o.clientId, rnd() < 0.5 ? 'canceled' : 'rejected');
say('ready');

for (let n = 0; n < 1_000_000; n++) {
  const clientId = ids.next();
  journal.recordIntent(intent(clientId, { ts: ++ts, quantity: 1 }));
  say(`I ${clientId}`);
  const r = rnd();
  if (r < 0.1) continue; // killed "between journal write and send" in the real system
  transition(clientId, 'submitting');
  if (r < 0.2) transition(clientId, 'unknown');
  else if (r < 0.3) transition(clientId, 'rejected');
  else {
    const exchangeId = `ex-${clientId}`;
    transition(clientId, 'open', exchangeId);
    const fills = Math.floor(rnd() * 5);
    // Some fills arrive as one batch (a REST catch-up after a stream gap), the rest one by one.
    const batched = rnd() < 0.3;
    const record = (): void => {
      for (let k = 1; k <= fills; k++) {
        const tradeId = `${clientId}-t${k}`;
        if (journal.recordFill(fill(clientId, tradeId, { ts: ++ts, exchangeId, quantity: 1 / 4 }))) say(`F ${tradeId}`);
        transition(clientId, k === 4 ? 'filled' : 'partially_filled');
      }
    };
    if (batched) {
      pending = [];
      journal.batch(record);
      const lines = pending;
      pending = undefined;
      lines.forEach(say);
    } else {
      record();
    }
    if (fills > 0 && rnd() < 0.5) transition(clientId, 'canceled');
  }
}
journal.close();
