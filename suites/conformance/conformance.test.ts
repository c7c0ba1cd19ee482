import { openBoardVariant, RTC_VARIANT } from '../../harness/testing/conformance';
import { RTC_IODEV_INFO } from '../../harness/testing/conformance/variants';
import { suiteBoards } from '../../harness/testing/suite-boards';
import { describeConformance } from './conformance';

const boards = suiteBoards();
for (const board of boards) describeConformance(board);
// The driver guide's worked example, on a variant of the emulated board until rtc0 is on the reference board.
if (boards.includes('emulator')) describeConformance(RTC_VARIANT.id, { open: () => openBoardVariant(RTC_VARIANT), iodevs: [RTC_IODEV_INFO] });
