export type { Clock, TimerFn, TimerId } from './clock';
export { SystemClock, systemClock } from './clock';
export { VirtualClock } from './virtual-clock';
