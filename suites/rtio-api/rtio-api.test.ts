import { suiteBoards } from '../../harness/testing/suite-boards';
import { describeRtioApi } from './rtio-api';

for (const board of suiteBoards()) describeRtioApi(board);
