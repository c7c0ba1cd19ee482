import { expect } from 'chai';
import { AgentResetError, HandshakeTimeoutError } from '../link/errors';
import type { LinkStats } from '../link/stats';
import type { Target } from '../target/target';
import { scopeProperties, sumLinkStats, summaryLines } from './reporter';
import type { ReportedCase } from './reporter';
import type { TargetRecord } from '../target/registry';

function stats(over: Partial<LinkStats> = {}): LinkStats {
  return {
    framesSent: 10, framesReceived: 9, crcErrors: 0, cobsErrors: 0, tooLong: 0, tooShort: 0, decodeErrors: 0, retransmits: 0,
    duplicates: 0, outOfOrder: 0, resets: 0, acksSent: 0, fastRetransmits: 0, keepalives: 0, srttMs: 0, rtoMs: 0, delivered: 0,
    unexpected: 0, staleBytes: 0, ...over,
  };
}

function record(seq: number, over: Partial<TargetRecord> & { remote?: object } = {}): TargetRecord {
  const { remote, ...rest } = over;
  return {
    seq, boardId: 'nucleo', boardName: 'Nucleo', boardFile: '/boards/nucleo.json', kind: 'serial', openError: null, port: '/dev/ttyACM0', unit: null,
    linkStats: () => stats(), target: () => (remote ?? null) as Target | null, facts: remote ?? {}, ...rest,
  };
}

const HELLO = { buildId: 'agent 1.2', protocolVersion: 1, bootNonce: 0xabc };

describe('report properties and summary', function () {
  it('name the board, port, agent and link counters; a target closed by its test is no link failure', function () {
    const closed = record(1, { remote: { hello: HELLO, lastError: new Error('target "nucleo" closed'), logs: [] } });
    expect(scopeProperties([closed])).to.deep.equal([
      ['board.id', 'nucleo'], ['board.name', 'Nucleo'], ['board.target', 'serial'], ['board.file', '/boards/nucleo.json'],
      ['link.port', '/dev/ttyACM0'], ['agent.build', 'agent 1.2'], ['agent.protocol', '1'], ['agent.bootNonce', '0x00000abc'],
      ['link.framesSent', '10'], ['link.framesReceived', '9'], ['link.crcErrors', '0'], ['link.cobsErrors', '0'], ['link.tooLong', '0'],
      ['link.tooShort', '0'], ['link.decodeErrors', '0'], ['link.retransmits', '0'], ['link.duplicates', '0'], ['link.outOfOrder', '0'],
      ['link.resets', '0'],
    ]);
  });

  it('name the unit that ran, when a farm says which (LAVA\'s board id, the labgrid place)', function () {
    const props = scopeProperties([record(1, { kind: 'labgrid', unit: 'rack-3-nucleo', port: 'rfc2217:exporter-1:4001' })]);
    expect(props.slice(0, 3)).to.deep.equal([['board.id', 'nucleo'], ['board.unit', 'rack-3-nucleo'], ['board.name', 'Nucleo']]);
  });

  it('name a link failure and a failed open', function () {
    const reset = record(1, { remote: { hello: HELLO, lastError: new AgentResetError('/dev/ttyACM0', 1, 2) } });
    const failed = record(2, { openError: new HandshakeTimeoutError('/dev/ttyACM0', 3000), linkStats: () => stats({ framesSent: 12, framesReceived: 0, resets: 0 }) });
    const p = new Map(scopeProperties([reset, failed]));
    expect(p.get('link.failure')).to.equal('AgentResetError');
    expect(p.get('open.failure')).to.equal('HandshakeTimeoutError: handshake timeout: no HelloReply from /dev/ttyACM0 within 3000 ms');
    expect([p.get('link.framesSent'), p.get('link.framesReceived')], 'summed over the records').to.deep.equal(['22', '9']);
  });

  it('name the run\'s board when a suite opened no target, and sum nothing without a link', function () {
    expect(scopeProperties([], 'native')).to.deep.equal([['board.id', 'native']]);
    expect(sumLinkStats([record(1, { linkStats: null })])).to.equal(null);
  });

  it('summarise per board, with skip reasons grouped', function () {
    const c = (status: ReportedCase['status'], boardId: string, extra: Partial<ReportedCase> = {}): ReportedCase =>
      ({ name: 'n', classname: 's', fullTitle: 's > n', timeSec: 0, status, boardId, ...extra });
    const lines = summaryLines([
      c('passed', 'a'), c('skipped', 'a', { skipReason: 'lacks x' }), c('skipped', 'a', { skipReason: 'lacks x' }),
      c('error', 'b', { problem: { type: 'infrastructure', message: 'port-lost: gone', body: '' } }),
    ], 4, []);
    expect(lines).to.deep.equal([
      'Summary by board',
      '  a', '    1 passed, 0 failed, 2 skipped, 0 infrastructure failures', '    skipped 2: lacks x',
      '  b', '    0 passed, 0 failed, 0 skipped, 1 infrastructure failure', '    infrastructure: s > n: port-lost: gone',
      'rtio-hil: 2 boards: 1 passed, 0 failed, 2 skipped, 1 infrastructure failure, 4 not run (a hook failed)',
    ]);
  });
});
