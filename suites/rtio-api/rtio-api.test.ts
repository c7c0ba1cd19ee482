import { describeRtioApi } from './rtio-api';

describeRtioApi(process.env.RTIO_BOARD ?? 'emulator');
