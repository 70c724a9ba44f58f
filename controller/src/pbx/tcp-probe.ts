// A line-protocol probe over TCP (AMI, ESL): connect, exchange, judge the reply, always time out.
import net from 'node:net';
import { describeNetError } from './http-probe';
import type { ProbeResult } from './port';

export interface TcpDialog {
  /** Called with all text received so far; returns what to send next, a verdict, or null to wait. */
  step(received: string): { send: string } | ProbeResult | null;
}

export function tcpProbe(host: string, port: number, dialog: TcpDialog, timeoutMs = 3000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let buf = '';
    let settled = false;
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, detail: 'timed out' }), timeoutMs);
    sock.on('error', (e) => finish({ ok: false, detail: describeNetError(e) }));
    sock.on('close', () => finish({ ok: false, detail: 'connection closed by peer' }));
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      const next = dialog.step(buf);
      if (next === null) return;
      if ('send' in next) {
        buf = '';
        sock.write(next.send);
      } else {
        finish(next);
      }
    });
  });
}
