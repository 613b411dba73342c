/** The exchange emulator: a local Binance spot / Upbit REST venue backed by the matching engine. */
export { EMULATED_VENUES, startEmulator, type EmulatedVenue, type EmulatorOptions, type EmulatorState, type RunningEmulator } from './emulator.ts';
export { emulatorOptionsFromFlags, runEmulatorCommand, type EmulatorCommandFlags, type EmulatorCommandIo, type EmulatorCommandOptions } from './cli.ts';
export { emulatorCcxtOptions, pointCcxtAt, type CcxtUrlsHolder } from './point-ccxt.ts';
export {
  fault,
  FAULT_KINDS,
  faultsByOrderSeq,
  PASS,
  ruleFaults,
  type FaultAction,
  type FaultKind,
  type FaultParams,
  type FaultPlan,
  type FaultRequest,
  type RequestKind,
} from './faults.ts';
export { describeFaultSpec, FAULT_SPEC_FORM, faultPlanFromSpecs, parseFaultSpec, parseFaultSpecs, type FaultSpec } from './fault-spec.ts';
export type { FaultLogEntry } from './venue-faults/fault-log.ts';
export { measureEmulatorThroughput, type ThroughputOptions, type ThroughputResult } from './bench.ts';
export type { BalanceView, EmulatorOrderView } from './introspection.ts';
export type { ReplaySpec } from './feeds/replay-feed.ts';
export type { WalkOptions, WalkSpec } from './feeds/random-walk.ts';
