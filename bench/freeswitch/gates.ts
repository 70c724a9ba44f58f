// The gates the controller is compared with, each running the controller's own command sequence
// (script.ts) on every call the switch hands it: a raw net.Socket server (the floor), callrec's
// socket layer alone (GateServer), and modesl's esl.Server as shipped (no NoDelay).
import net from 'node:net';
import esl from 'modesl';
import { encodeCommand, FrameParser, parseEventBody } from '../../controller/src/pbx/freeswitch/esl/frame';
import { GateServer, type GateChannel } from '../../controller/src/pbx/freeswitch/esl/outbound';
import { silentLogger } from '../../controller/src/util/logger';
import type { Step } from './script';

export interface BenchGate {
  port: number;
  close(): Promise<void>;
}

/** What the controller sent besides its apps: its subscription line. */
export interface Script {
  subscribe: string;
  steps: Step[];
}

const listenOn = (server: net.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
const closeServer = (server: net.Server): Promise<void> => new Promise((r) => server.close(() => r()));

type Item = { type: string; ev: Record<string, string> | null };

/** The floor: one write per step, the smallest reply matching that still works. */
export async function rawGate(script: Script): Promise<BenchGate> {
  const open = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    sock.setNoDelay(true);
    const parser = new FrameParser();
    // Frames that arrived before anyone waited for them (a reply and its completion share a packet).
    const inbox: Item[] = [];
    let waiter: ((f: Item) => boolean) | null = null;
    const drain = (): void => {
      while (waiter && inbox.length > 0) {
        const item = inbox.shift() as Item;
        if (waiter(item)) waiter = null;
      }
    };
    sock.on('data', (chunk) => {
      for (const f of parser.push(chunk)) {
        const type = f.headers['Content-Type'] ?? '';
        inbox.push({
          type,
          ev: type === 'command/reply' && f.headers['Event-Name'] ? f.headers : parseEventBody(type, f.body),
        });
      }
      drain();
    });
    sock.on('error', () => undefined);
    const until = (pred: (f: Item) => boolean) =>
      new Promise<Record<string, string> | null>((resolve) => {
        waiter = (f) => {
          if (!pred(f)) return false;
          resolve(f.ev);
          return true;
        };
        drain();
      });
    const reply = () => until((f) => f.type === 'command/reply');
    void (async () => {
      sock.write(encodeCommand('connect'));
      const uuid = (await reply())?.['Unique-ID'] ?? '';
      sock.write(encodeCommand(script.subscribe));
      await reply();
      let n = 0;
      for (const step of script.steps) {
        const ids = step.apps.map(() => `raw-${++n}`);
        sock.write(
          step.apps
            .map((a, i) =>
              encodeCommand(`sendmsg ${uuid}`, {
                'call-command': 'execute',
                'execute-app-name': a.app,
                'execute-app-arg': a.arg,
                'Event-UUID': ids[i] ?? '',
              }),
            )
            .join(''),
        );
        for (let i = 0; i < step.apps.length; i++) await reply();
        if (step.wait === 'complete')
          await until(
            (f) => f.ev?.['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && f.ev['Application-UUID'] === ids[0],
          );
      }
      sock.write(encodeCommand('exit'));
      await reply();
      sock.end();
    })();
  });
  const port = await listenOn(server);
  return {
    port,
    close: () => {
      for (const s of open) s.destroy();
      return closeServer(server);
    },
  };
}

async function runOnChannel(ch: GateChannel, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    const [first] = step.apps;
    if (step.wait === 'complete' && first) await ch.run(first.app, first.arg);
    else await Promise.all(step.apps.map((a) => ch.send(a.app, a.arg)));
  }
  await ch.exit();
}

/** callrec's outbound-socket layer alone: no registry, store or policy. */
export async function socketLayerGate(script: Script): Promise<BenchGate> {
  const gate = new GateServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    onChannel: (ch) => {
      void runOnChannel(ch, script.steps);
    },
  });
  const port = await gate.listen();
  if (!port.ok) throw new Error(port.error);
  return { port: port.value, close: () => gate.close() };
}

/** modesl's esl.Server as shipped: its execute() waits for each app's completion. */
export async function modeslGate(script: Script): Promise<BenchGate> {
  // Our own listener: modesl's Server treats port 0 as "use 8022", which may be taken.
  const server = net.createServer();
  const port = await listenOn(server);
  const ms = new esl.Server({ server }, () => undefined);
  ms.on('connection::ready', (conn) => {
    conn.on('error', () => undefined);
    const exec = (app: string, arg: string) =>
      new Promise<void>((r) => {
        conn.execute(app, arg, () => r());
      });
    void (async () => {
      for (const step of script.steps) await Promise.all(step.apps.map((a) => exec(a.app, a.arg)));
      conn.sendRecv('exit');
    })();
  });
  return { port, close: () => closeServer(server) };
}
