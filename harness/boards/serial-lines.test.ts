import { expect } from 'chai';
import { applyResetSequence, needsLinePreparation } from './serial-lines';
import type { LineControl, LineLevels } from './serial-lines';

/** A port that records every set() and fails on request. */
function recorder(failAt = -1): { port: LineControl; log: (string | LineLevels)[] } {
  const log: (string | LineLevels)[] = [];
  return {
    log,
    port: {
      set: (levels, cb) => {
        log.push({ dtr: levels.dtr, rts: levels.rts });
        cb(log.filter((x) => typeof x !== 'string').length - 1 === failAt ? new Error('EIO') : null);
      },
    },
  };
}

describe('serial reset sequences', function () {
  it('sets both lines on every step (serialport resets the unnamed one) and waits where asked', async function () {
    const { port, log } = recorder();
    const wait = async (ms: number): Promise<void> => {
      log.push(`wait ${ms}`);
    };
    const end = await applyResetSequence(port, [{ dtr: false, rts: true }, { waitMs: 100 }, { rts: false, waitMs: 50 }], wait);
    expect(log).to.deep.equal([{ dtr: false, rts: true }, 'wait 100', { dtr: false, rts: false }, 'wait 50']);
    expect(end).to.deep.equal({ dtr: false, rts: false });
  });

  it('names the step whose set() failed', async function () {
    const { port } = recorder(1);
    let err: unknown;
    await applyResetSequence(port, [{ dtr: false }, { rts: false }], async () => undefined).catch((e: unknown) => {
      err = e;
    });
    expect(String(err)).to.equal('Error: serial resetSequence[1] (dtr false, rts false) failed: EIO');
  });

  it('prepares a line only for low latency or a reset sequence', function () {
    expect([undefined, {}, { baudRate: 9600 }, { lowLatency: false }, { resetSequence: [] }].map(needsLinePreparation)).to.deep.equal([false, false, false, false, false]);
    expect([{ lowLatency: true }, { resetSequence: [{ waitMs: 1 }] }].map(needsLinePreparation)).to.deep.equal([true, true]);
  });
});
