/**
 * rtio-hil's test helpers (`rtio-hil/testing`, which needs mocha and chai): contexts that prove
 * nothing leaked, the boards a run covers, what the reporter needs from a test (a skip's reason,
 * a target opened by other means than `openTarget()`), and the iodev conformance kit for driver
 * authors.
 */
export { SUITE_CONTEXT, TEST_REPEATS, newContext, expectNoLeak, onContext } from './rtio-fixture';
export { DEFAULT_SUITE_BOARDS, boardsNamed, suiteBoards } from './suite-boards';
export { skipBecause } from '../report/skip-reason';
export { registerTarget } from '../target/registry';
export type { TargetDetails, TargetRecord } from '../target/registry';
export { onTargetProgress } from '../target/progress';
export type { TargetProgress } from '../target/progress';
export {
  describeIodevConformance, addIodevConformance, conformanceSuiteTitle,
  runIodevConformance, runConformanceCheck, selectChecks, skipReason, busKindOf, iodevInfo, maxTransferBytes,
  CONFORMANCE_DEFAULT_MAX_TRANSFER_BYTES, CONFORMANCE_COMPLETION_TIMEOUT_MS,
  conformanceChecks, CheckContext, Completions, bytesMatch, hex, showExpected,
  REFERENCE_PROBES, probeFor, RULES, RULE_IDS, ConformanceFailure, isConformanceFailure,
  BoardTarget, createBoardVariant, openBoardVariant, RTC_VARIANT,
} from './conformance';
export type {
  ConformanceOptions, CheckResult, ConformanceReport, TargetSource, ConformanceCheck, CheckEnv, BusKind,
  IodevProbe, IdentityProbe, ScratchProbe, LoopbackProbe, StreamProbe, ExpectedByte, RuleId,
  BoardVariant, BoardVariantOptions, EmulatedBoard, VariantIodev,
} from './conformance';
