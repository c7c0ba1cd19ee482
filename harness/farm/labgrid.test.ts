import { expect } from 'chai';
import { LabgridError, parseLabgridEnv } from './labgrid';

/** `labgrid-client -p nucleo-3 env` as labgrid writes it (yaml.dump of targets → place → resources). */
const ENV = `targets:
  nucleo-3:
    resources:
    - RemotePlace:
        name: nucleo-3
    - USBSerialPort:
        match:
          ID_SERIAL_SHORT: 0671FF485550755187121723
        speed: 115200
    - NetworkSerialPort:
        host: exporter-1.lab
        port: 53867
        speed: 115200
    - PDUDaemonPort:
        host: pdu-1
        index: 3
`;

const TWO = `targets:
  dual:
    resources:
    - NetworkSerialPort:
        name: console
        host: exporter-2
        port: 4001
        protocol: raw
    - NetworkSerialPort:
        name: agent
        host: '::1'
        port: 4002
        protocol: rfc2217
`;

function failure(f: () => unknown): LabgridError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(LabgridError);
    return e as LabgridError;
  }
  throw new Error('expected a LabgridError');
}

describe('labgrid: a place\'s serial port from labgrid-client env', function () {
  it('reads the NetworkSerialPort of a place, RFC 2217 unless it says raw, ignoring the other resources', function () {
    expect(parseLabgridEnv(ENV, 'nucleo-3')).to.deep.equal({ protocol: 'rfc2217', host: 'exporter-1.lab', port: 53867 });
  });

  it('picks one of several by name, quoted hosts included', function () {
    expect(parseLabgridEnv(TWO, 'dual', 'console')).to.deep.equal({ protocol: 'raw', host: 'exporter-2', port: 4001 });
    expect(parseLabgridEnv(TWO, 'dual', 'agent')).to.deep.equal({ protocol: 'rfc2217', host: '::1', port: 4002 });
  });

  it('reads YAML as YAML: flow style, and the only target whatever its name', function () {
    const flow = "targets:\n  nucleo-3: {resources: [{RemotePlace: {name: nucleo-3}}, {NetworkSerialPort: {host: 10.0.0.7, port: 4001, protocol: raw}}]}\n";
    expect(parseLabgridEnv(flow, 'nucleo')).to.deep.equal({ protocol: 'raw', host: '10.0.0.7', port: 4001 });
    expect(failure(() => parseLabgridEnv('targets: [unclosed', 'p')).message).to.match(/^labgrid place "p": env printed no YAML: /);
  });

  it('says what is wrong with the place: no serial port, several without a name, a wrong name, an unknown protocol', function () {
    const none = failure(() => parseLabgridEnv('targets:\n  p:\n    resources:\n    - RemotePlace:\n        name: p\n', 'p'));
    expect([none.reason, none.step, none.message]).to.deep.equal(['no-serial-port', 'env', 'labgrid place "p": env lists no NetworkSerialPort resource']);
    expect(failure(() => parseLabgridEnv(TWO, 'dual')).message).to.equal('labgrid place "dual": env has 2 NetworkSerialPort resources (console, agent): name one in the board file\'s /labgrid/serialPort');
    expect(failure(() => parseLabgridEnv(TWO, 'dual', 'debug')).message).to.equal('labgrid place "dual": env has no NetworkSerialPort named "debug" (it has: console, agent)');
    expect(failure(() => parseLabgridEnv(TWO.replace('raw', 'ssh'), 'dual', 'console')).message).to.equal('labgrid place "dual": env has a NetworkSerialPort with protocol "ssh" (rfc2217 or raw expected)');
    expect(failure(() => parseLabgridEnv(ENV.replace('port: 53867', 'port: x'), 'nucleo-3')).message).to.match(/without a usable host and port \(host exporter-1\.lab, port x\)$/);
  });
});
