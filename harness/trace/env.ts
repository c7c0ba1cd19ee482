/** The environment variable `rtio-hil test --trace` names each run's trace file in. */
export const TRACE_ENV = 'RTIO_TRACE';
