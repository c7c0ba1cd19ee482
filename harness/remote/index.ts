/** Targets reached over a link: the remote target, the ways to open one, and the agents behind them. */
export { RemoteTarget, REMOTE_DEADLINE_ALLOWANCE_MS, REMOTE_SETTLE_TIMEOUT_MS } from './remote-target';
export type { RemoteTargetOptions } from './remote-target';
export { hostPacketLink } from './packet-link';
export type { AgentHello, PacketLink } from './packet-link';
export { AGENT_CAPABILITIES, openRemote, openSerialRemote } from './open-remote';
export type { OpenRemoteOptions, OpenedRemote, RemoteTargetFactory } from './open-remote';
export { ECHO_ARGS, NATIVE_AGENT_BINARY, buildNativeAgent, openNative, openNativeParts } from './native';
export { openEmulatorWire, openEmulatorWireParts } from './emulator-wire';
export type { EmulatorWireParts } from './emulator-wire';
export { AGENT_READY_TIMEOUT_MS, startAgentProcess } from './agent-process';
export type { AgentProcess } from './agent-process';
export {
  FIRMWARE_PREREQUISITES, NATIVE_PREREQUISITES, PrerequisiteMissingError, buildOnce, findExecutable,
  missingPrerequisite,
} from './make';
export type { Prerequisite } from './make';
export { LOSSY_SUBMIT_BYTES, LOSSY_SUBMITS, deadlinesOf } from './shipper';
export { SUBMIT_PACKET_OVERHEAD, submitBudget } from './remote-plan';
