// Reads a WAV file's header: format, and the duration the audio data actually gives. Never trusts
// a data size that disagrees with the file (a header not yet rewritten while the PBX still writes).
import fs from 'node:fs/promises';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  dataOffset: number;
  fmtOffset: number; // where the fmt chunk's body starts
  dataBytesHeader: number; // what the header says
  dataBytesActual: number; // what the file holds after the header
  durationMs: number; // from the actual bytes
  consistent: boolean; // header and file agree: the writer closed the file
  sizeBytes: number;
}

export type WavResult = { ok: true; info: WavInfo } | { ok: false; reason: string };

export async function readWavInfo(file: string): Promise<WavResult> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: code === 'ENOENT' ? `file missing: ${file}` : `cannot open ${file}: ${code ?? (e as Error).message}`,
    };
  }
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(size, 4096));
    await fh.read(head, 0, head.length, 0);
    return parseWavHeader(head, size);
  } finally {
    await fh.close();
  }
}

export function parseWavHeader(head: Buffer, sizeBytes: number): WavResult {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
    return { ok: false, reason: sizeBytes === 0 ? 'empty file (0 bytes)' : 'not a WAV file (no RIFF/WAVE header)' };
  }
  let off = 12;
  let fmt: { channels: number; sampleRate: number; bits: number; blockAlign: number; at: number } | null = null;
  while (off + 8 <= head.length) {
    const id = head.toString('ascii', off, off + 4);
    const len = head.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 24 <= head.length) {
      fmt = {
        channels: head.readUInt16LE(off + 10),
        sampleRate: head.readUInt32LE(off + 12),
        blockAlign: head.readUInt16LE(off + 20),
        bits: head.readUInt16LE(off + 22),
        at: off + 8,
      };
    }
    if (id === 'data') {
      if (!fmt || fmt.sampleRate === 0 || fmt.blockAlign === 0)
        return { ok: false, reason: 'WAV without a usable fmt chunk' };
      const dataOffset = off + 8;
      const actual = Math.max(0, sizeBytes - dataOffset);
      const info: WavInfo = {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bits,
        dataOffset,
        fmtOffset: fmt.at,
        dataBytesHeader: len,
        dataBytesActual: actual,
        durationMs: Math.round((Math.floor(actual / fmt.blockAlign) * 1000) / fmt.sampleRate),
        consistent: len === actual,
        sizeBytes,
      };
      if (actual === 0) return { ok: false, reason: `no audio (header-only file, ${sizeBytes} bytes)` };
      return { ok: true, info };
    }
    off += 8 + len + (len % 2);
  }
  return { ok: false, reason: `no audio (no data chunk in ${sizeBytes} bytes)` };
}

/**
 * MixMonitor's `D` interleaves the two directions sample by sample but its .wav writer keeps a
 * mono header: twice the duration, unplayable (measured on Asterisk 22.10.1, docs/asterisk.md).
 * Saying 2 channels makes it the stereo file it is: left = read from the channel, right = written.
 */
export async function markInterleavedStereo(file: string, info: WavInfo): Promise<WavInfo> {
  if (info.channels !== 1 || info.bitsPerSample !== 16) return info;
  const fmt = Buffer.alloc(12);
  fmt.writeUInt16LE(2, 0); // channels
  fmt.writeUInt32LE(info.sampleRate, 2);
  fmt.writeUInt32LE(info.sampleRate * 4, 6); // byte rate
  fmt.writeUInt16LE(4, 10); // block align
  const fh = await fs.open(file, 'r+');
  try {
    await fh.write(fmt, 0, fmt.length, info.fmtOffset + 2);
  } finally {
    await fh.close();
  }
  return {
    ...info,
    channels: 2,
    durationMs: Math.round((Math.floor(info.dataBytesActual / 4) * 1000) / info.sampleRate),
  };
}
