/** @file The iodev conformance kit: does a driver keep the promises RTIO makes to its users? */
export {
  describeIodevConformance, addIodevConformance, conformanceSuiteTitle,
} from './mocha';
export {
  runIodevConformance, runConformanceCheck, selectChecks, skipReason, busKindOf, iodevInfo, maxTransferBytes,
  CONFORMANCE_DEFAULT_MAX_TRANSFER_BYTES, CONFORMANCE_COMPLETION_TIMEOUT_MS,
} from './runner';
export type { ConformanceOptions, CheckResult, ConformanceReport, TargetSource } from './runner';
export { conformanceChecks } from './checks';
export { CheckContext, Completions, bytesMatch, hex, showExpected } from './context';
export type { ConformanceCheck, CheckEnv, BusKind } from './context';
export { REFERENCE_PROBES, probeFor } from './probes';
export type {
  IodevProbe, IdentityProbe, ScratchProbe, LoopbackProbe, StreamProbe, ExpectedByte,
} from './probes';
export { RULES, RULE_IDS, ConformanceFailure, isConformanceFailure } from './rules';
export type { RuleId } from './rules';
export { BoardTarget, createBoardVariant, openBoardVariant } from './board-variant';
export type { BoardVariant, BoardVariantOptions, EmulatedBoard, VariantIodev } from './board-variant';
export { RTC_VARIANT } from './variants';
