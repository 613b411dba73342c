/** The exchange emulator: a local Binance spot / Upbit REST venue backed by the matching engine. */
export { EMULATED_VENUES, startEmulator, type EmulatedVenue, type EmulatorOptions, type EmulatorState, type RunningEmulator } from './emulator.ts';
export { emulatorOptionsFromFlags, runEmulatorCommand, type EmulatorCommandFlags, type EmulatorCommandIo } from './cli.ts';
export { emulatorCcxtOptions, pointCcxtAt, type CcxtUrlsHolder } from './point-ccxt.ts';
export { faultsByOrderSeq, PASS, ruleFaults, type FaultAction, type FaultPlan, type FaultRequest, type RequestKind } from './faults.ts';
export { measureEmulatorThroughput, type ThroughputOptions, type ThroughputResult } from './bench.ts';
export type { BalanceView, EmulatorOrderView } from './introspection.ts';
export type { ReplaySpec } from './feeds/replay-feed.ts';
export type { WalkOptions, WalkSpec } from './feeds/random-walk.ts';
