import { suiteBoards } from '../../harness/testing/suite-boards';
import { describePeripherals } from './peripherals';

for (const board of suiteBoards()) describePeripherals(board);
