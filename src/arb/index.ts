/**
 * The arbitrage engine's pure core: books, conversion, edge, sizing, detection (no I/O, no RxJS).
 * See README.md in this folder for the formulas and what the execution operator builds on.
 */
export { BookSet, DepthBook, DepthSide, DEFAULT_MAX_LEVELS } from './books.ts';
export { BookRate, QuoteConverter, RateSeries, RateModes, parseRateCsv, type ConversionStatus, type RateMode, type RateSample, type RateSource } from './conversion.ts';
export { ArbDetector, type ArbLeg, type ArbPair, type ConversionSpec, type DetectorConfig, type Inventory } from './detector.ts';
export { EdgeResult, computeEdge, edgeClears, grossEdgeBps, marginalClears, netEdgeBps, type EdgeTerms } from './edge.ts';
export { SizeBindings, SkipReasons, emptySkipCounts, type Opportunity, type SizeBinding, type SkipCounts, type SkipReason } from './opportunity.ts';
export { PremiumSeries, type PremiumPoint } from './premium.ts';
export { commonStep, depthLimit, maxForBudget, sizeOpportunity, type SizingLimits, type SizingResult } from './sizing.ts';
