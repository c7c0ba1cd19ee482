import type { Target } from '../../target/target';
import { openBoardVariant } from './board-variant';
import { describeIodevConformance } from './mocha';
import { RTC_VARIANT } from './variants';

// The driver guide's worked example (docs/driver-guide.md), registered the way a driver author
// registers the kit for a new driver: the target opened in a hook, the kit given a function
// that returns it.
describe('the driver guide\'s RTC, as its author checks it', function () {
  let target: Target | null = null;
  before(function () {
    target = openBoardVariant(RTC_VARIANT);
  });
  after(async function () {
    await target?.close();
  });
  describeIodevConformance(() => target!, 'rtc0', 'sensor', { bus: 'i2c' });
});
