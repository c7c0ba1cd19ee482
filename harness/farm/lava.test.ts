import { expect } from 'chai';
import { LavaError, lavaEnvironment, parseConnectionCommand, runHardReset } from './lava';

describe('LAVA: the device from a docker test action\'s environment', function () {
  it('is nothing outside LAVA', function () {
    expect(lavaEnvironment({})).to.equal(null);
    expect(lavaEnvironment({ LAVA_CONNECTION_COMMAND: '  ' })).to.equal(null);
  });

  it('reads the connection, the hard-reset command and the board id LAVA exports', function () {
    expect(lavaEnvironment({
      LAVA_CONNECTION_COMMAND: 'telnet 192.168.1.200 8001',
      LAVA_CONNECTION_COMMAND_UART0: 'telnet localhost 4002',
      LAVA_HARD_RESET_COMMAND: '/path/to/reset.sh 0 1 2 && sleep 5',
      LAVA_BOARD_ID: '0123456789',
    })).to.deep.equal({
      connectionCommand: 'telnet 192.168.1.200 8001',
      serialPort: { protocol: 'rfc2217', host: '192.168.1.200', port: 8001 },
      hardResetCommand: '/path/to/reset.sh 0 1 2 && sleep 5',
      boardId: '0123456789',
    });
    expect(lavaEnvironment({ LAVA_CONNECTION_COMMAND: 'nc localhost 7001' })).to.include({ hardResetCommand: null, boardId: null });
  });

  it('connects through telnet (telnet, or ser2net\'s telnet(rfc2217)), nc and socat; names what it cannot', function () {
    expect(parseConnectionCommand('telnet -8 localhost 7000')).to.deep.equal({ protocol: 'rfc2217', host: 'localhost', port: 7000 });
    expect(parseConnectionCommand('/usr/bin/telnet ser2net-host')).to.deep.equal({ protocol: 'rfc2217', host: 'ser2net-host', port: 23 });
    expect(parseConnectionCommand('nc -q0 10.0.0.2 4001')).to.deep.equal({ protocol: 'raw', host: '10.0.0.2', port: 4001 });
    expect(parseConnectionCommand('socat - TCP:rack-3:5001,nodelay')).to.deep.equal({ protocol: 'raw', host: 'rack-3', port: 5001 });
    expect(parseConnectionCommand('socat STDIO TCP6:[::1]:5002')).to.deep.equal({ protocol: 'raw', host: '::1', port: 5002 });
    for (const bad of ['picocom -b 115200 /dev/ttyUSB0', 'telnet host notaport', 'ssh lab cat /dev/ttyACM0']) {
      expect(() => parseConnectionCommand(bad), bad).to.throw(LavaError, /^LAVA LAVA_CONNECTION_COMMAND: cannot connect through "/);
    }
    try {
      parseConnectionCommand('picocom /dev/ttyUSB0');
    } catch (e) {
      expect(e).to.include({ name: 'LavaError', variable: 'LAVA_CONNECTION_COMMAND', command: 'picocom /dev/ttyUSB0', reason: 'unsupported-command' });
    }
  });

  it('runs the hard-reset command with sh -c, && chains included; a failing one is a LavaError with its status and last words', async function () {
    await runHardReset('true && true');
    const err = await runHardReset('echo first >&2; echo "relay 3 did not answer" >&2; exit 4').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(LavaError).and.include({ variable: 'LAVA_HARD_RESET_COMMAND', reason: 'reset-failed' });
    expect((err as Error).message).to.equal('LAVA LAVA_HARD_RESET_COMMAND: "echo first >&2; echo "relay 3 did not answer" >&2; exit 4" exited 4: relay 3 did not answer');
  });
});
