/** Board files: their types and schema checks, finding and loading them, finding a board's port, opening its target. */
export {
  BOARD_TIMEOUT_DEFAULTS, TARGET_KINDS,
} from './board-types';
export type {
  Board, BoardFileData, BoardIodev, BoardLink, BoardTimeouts, LaunchSpec, PortMatch, ResetStep, SerialSettings,
  TargetKind, TcpEndpoint,
} from './board-types';
export { BoardFileError, isBoardFileError } from './board-errors';
export type { BoardFileProblem } from './board-errors';
export {
  BOARD_SCHEMA_FILE, REPO_BOARDS_DIR, boardIodevs, boardLink, boardPath, boardSchema, boardTimeouts, readBoardFile,
  validateBoard,
} from './board-file';
export { BOARDS_DIR_ENV, UnknownBoardError, boardDirs, boardFiles, boardIds, loadBoard, loadBoards } from './load-boards';
export type { LoadedBoards } from './load-boards';
export { DISCOVERY_ENV, describePort, discoverPorts, discoveryOptionsFromEnv, scanSysfs, serialPortList } from './discovery';
export type { Discovery, DiscoveryOptions, PortInfo, SerialPortListEntry } from './discovery';
export { AmbiguousPortError, BoardNotConnectedError, describeMatch, findBoardPort, matchPorts, portMatches } from './match';
export type { PortBoards } from './match';
export { LINES_AFTER_OPEN, applyResetSequence, needsLinePreparation, prepareSerialLine, wallWait } from './serial-lines';
export type { LineControl, LineLevels } from './serial-lines';
export { suggestBoard, suggestId, suggestMatch } from './suggest';
export type { BoardSkeleton, SuggestOptions } from './suggest';
export { KNOWN_TARGETS, UnsupportedTargetError, boardRemoteOptions, defaultBoardId, openTarget } from './open-target';
export type { OpenTargetOptions } from './open-target';
