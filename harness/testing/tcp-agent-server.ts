/**
 * Stand-ins for a board behind ser2net, for tests of tcp board files: the TS agent serving the
 * emulated reference board on a local TCP port, or a port that accepts connections and never
 * answers (a board without the agent, or with a wrong baud rate).
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { TsAgent } from '../agent/ts-agent';
import { AgentLink } from '../link/agent';
import { tcpTransportFromSocket } from '../link/tcp-transport';

/** A listening stand-in; close it when done. */
export interface TcpStandIn {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The agents serving connections so far (one per connection). */
  readonly agents: readonly TsAgent[];
  /** Stops the agents, drops the connections and stops listening. */
  close(): Promise<void>;
}

async function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp stand-in: no port');
  return { server, port: address.port, sockets };
}

function closer(server: Server, sockets: Set<Socket>, before: () => void = () => undefined): () => Promise<void> {
  return async () => {
    before();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** The TS agent (seed `seed`) on a local TCP port, a new agent per connection. */
export async function serveTsAgentOverTcp(seed = 1): Promise<TcpStandIn> {
  const agents: TsAgent[] = [];
  const { server, port, sockets } = await listen((socket) => {
    let agent: TsAgent | null = null;
    const link = new AgentLink(tcpTransportFromSocket(socket), { helloReply: () => agent!.hello() });
    agent = new TsAgent(link, { seed });
    agents.push(agent);
    socket.on('close', () => agent?.stop());
  });
  return { port, agents, close: closer(server, sockets, () => agents.forEach((a) => a.stop())) };
}

/** A local TCP port that accepts connections and never sends a byte. */
export async function serveSilence(): Promise<TcpStandIn> {
  const { server, port, sockets } = await listen(() => undefined);
  return { port, agents: [], close: closer(server, sockets) };
}
