/**
 * Seeded randomness: mulberry32, small and fast, the same sequence for the same seed on every
 * machine. Everything random in tradeflow (synthetic data, random-walk books, probabilistic faults)
 * draws from one of these, never from Math.random, so runs replay.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
