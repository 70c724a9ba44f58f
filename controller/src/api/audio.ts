// GET /api/recordings/:id/audio: streams the file with HTTP Range for seeking, or as a download;
// an encrypted file is decrypted on the fly, Range counted in plaintext bytes.
import { ROLES } from '../domain/api-keys';
import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import type { RecordingRecord } from '../domain/records';
import { IntegrityError } from '../recordings/crypto';
import { KeyUnavailableError, openStoredAudio, type StoredAudio } from '../recordings/stored-audio';
import { mimeOf } from '../recordings/transcode';
import type { ApiDeps } from './deps';
import { recordingIsGone, visibleRecording } from './access';
import { ApiError } from './errors';
import { downloadName, parseRange, resolveInsideRoot } from './files';
import type { ApiRoutes } from './route';
import { AudioQuery, errorResponse, IdParam } from './schemas';

export function audioRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add(
    {
      method: 'get',
      path: '/recordings/:id/audio',
      tag: 'recordings',
      summary: 'Play or download a recording',
      roles: ROLES,
      params: IdParam,
      query: AudioQuery,
      responses: {
        200: {
          description:
            'The whole file: WAV, or Ogg Opus / MP3 when transcoded (also the answer to a multi-range request)',
          content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
        },
        206: {
          description: 'One byte range',
          content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
        },
        404: errorResponse('No such recording, not yours, or its file is not available'),
        410: errorResponse('The recording was purged'),
        416: errorResponse('Malformed or unsatisfiable Range; Content-Range tells the size'),
        500: errorResponse(
          'integrity-error: the stored file failed authentication (tampered or truncated); key-unavailable: its master key is not configured',
        ),
      },
    },
    async ({ params, query, key, actor, req, res }) => {
      const rec = await visibleRecording(deps.store, params.id, key);
      recordingIsGone(rec);
      const file = await resolveInsideRoot(deps.recordingsDir, rec.filePath);
      if (!file.ok) {
        if (file.problem === 'outside-root')
          deps.logger.error('recording path escapes the recordings directory; refused', { recordingId: rec.id });
        throw new ApiError(404, 'file-unavailable', `the audio of recording ${rec.id} is not available`);
      }
      const audio = await openAudio(deps, rec, file.path, file.size);
      try {
        await serve(deps, audio, rec, query.download === '1', actor, req, res);
      } finally {
        await audio.close();
      }
    },
  );
}

async function openAudio(deps: ApiDeps, rec: RecordingRecord, file: string, fileSize: number): Promise<StoredAudio> {
  try {
    return await openStoredAudio(rec, file, fileSize, deps.keyring ?? null);
  } catch (e) {
    throw refusal(deps, rec, e);
  }
}

/** A stored file that fails authentication is refused with its own code, never served as audio. */
function refusal(deps: ApiDeps, rec: RecordingRecord, e: unknown): unknown {
  if (e instanceof IntegrityError) {
    deps.logger.error('recording failed its integrity check; not served', { recordingId: rec.id, detail: e.message });
    return new ApiError(
      500,
      'integrity-error',
      `recording ${rec.id} failed its integrity check (tampered or truncated); not served`,
    );
  }
  if (e instanceof KeyUnavailableError) {
    deps.logger.error(e.message, { recordingId: rec.id });
    return new ApiError(500, 'key-unavailable', `the key to recording ${rec.id} is not available on this controller`);
  }
  return e;
}

async function serve(
  deps: ApiDeps,
  audio: StoredAudio,
  rec: RecordingRecord,
  download: boolean,
  actor: string,
  req: Request,
  res: Response,
): Promise<void> {
  const size = audio.size;
  const range = parseRange(req.get('range'), size);
  if (range.kind === 'unsatisfiable') {
    res.set('Content-Range', `bytes */${size}`);
    throw new ApiError(
      416,
      'range-not-satisfiable',
      `Range must be one of bytes=a-b, bytes=a- or bytes=-n within ${size} bytes`,
    );
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  // Authenticated before the status line: a tampered chunk is a clear error, not a cut-off 200.
  if (req.method === 'GET' && size > 0)
    await audio.verify(start, end).catch((e: unknown) => {
      throw refusal(deps, rec, e);
    });
  if (req.method === 'GET') {
    // Audited before a byte leaves, every request: a player seeking issues several, and reading a
    // file in ranges must not be a way around the audit trail.
    await deps.store.events.append({
      callId: rec.callId,
      recordingId: rec.id,
      type: download ? 'downloaded' : 'listened',
      actor,
      detail: { bytes: `${start}-${end}/${size}`, via: 'api' },
    });
  }
  res.status(range.kind === 'partial' ? 206 : 200);
  res.set({
    'Content-Type': mimeOf(rec.format),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, no-store',
    'Content-Length': String(size === 0 ? 0 : end - start + 1),
    'Content-Disposition': download ? `attachment; filename="${downloadName(rec)}"` : 'inline',
  });
  if (range.kind === 'partial') res.set('Content-Range', `bytes ${start}-${end}/${size}`);
  await stream(audio, start, end, res);
}

function stream(audio: StoredAudio, start: number, end: number, res: Response): Promise<void> {
  return new Promise((resolve) => {
    if (audio.size === 0 || res.req.method === 'HEAD') {
      res.end();
      resolve();
      return;
    }
    const s = Readable.from(audio.bytes(start, end));
    s.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      s.destroy();
      resolve();
    });
    s.pipe(res);
  });
}
