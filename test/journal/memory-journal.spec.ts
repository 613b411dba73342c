import { MemoryJournal } from '../../src/journal/memory-journal.ts';
import { journalContract } from './journal-contract.ts';

journalContract('MemoryJournal', (opts) => {
  const journal = new MemoryJournal(opts);
  // Memory has no file: "reopening" is opening the same instance again.
  return { journal, reopen: () => journal };
});
