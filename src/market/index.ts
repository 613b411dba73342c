/** Historical market data readers. */
export { detectMarketFormat, marketSource, type MarketFormat, type MarketSpec } from './market-source.ts';
export { jsonArraySource } from './json-arrays.ts';
