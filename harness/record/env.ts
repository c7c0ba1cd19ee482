/** The environment variable `rtio-hil record` names its recording file in, for the runs it starts. */
export const RECORD_ENV = 'RTIO_RECORD';
