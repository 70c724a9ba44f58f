// GET /api/recordings/:id/audio: streams the file with HTTP Range for seeking, or as a download.
import fs from 'node:fs';
import type { Response } from 'express';
import type { ApiDeps } from './deps';
import { recordingIsGone } from './recordings';
import { visibleRecording } from './access';
import { ApiError } from './errors';
import { downloadName, parseRange, resolveInsideRoot } from './files';
import type { ApiRoutes } from './route';
import { AudioQuery, errorResponse, IdParam } from './schemas';

export function audioRoutes(routes: ApiRoutes, deps: ApiDeps): void {
  routes.add({
    method: 'get', path: '/recordings/:id/audio', tag: 'recordings', summary: 'Play or download a recording',
    roles: ['admin', 'supervisor', 'agent'], params: IdParam, query: AudioQuery,
    responses: {
      200: { description: 'The whole WAV file (also the answer to a multi-range request)', content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } },
      206: { description: 'One byte range', content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } },
      404: errorResponse('No such recording, not yours, or its file is not available'),
      410: errorResponse('The recording was purged'),
      416: errorResponse('Malformed or unsatisfiable Range; Content-Range tells the size'),
    },
  }, async ({ params, query, key, actor, req, res }) => {
    const rec = await visibleRecording(deps.store, params.id, key);
    recordingIsGone(rec);
    const file = await resolveInsideRoot(deps.recordingsDir, rec.filePath);
    if (!file.ok) {
      if (file.problem === 'outside-root') deps.logger.error('recording path escapes the recordings directory; refused', { recordingId: rec.id });
      throw new ApiError(404, 'file-unavailable', `the audio of recording ${rec.id} is not available`);
    }
    const range = parseRange(req.get('range'), file.size);
    if (range.kind === 'unsatisfiable') {
      res.set('Content-Range', `bytes */${file.size}`);
      throw new ApiError(416, 'range-not-satisfiable', `Range must be one of bytes=a-b, bytes=a- or bytes=-n within ${file.size} bytes`);
    }
    const download = query.download === '1';
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : file.size - 1;
    if (req.method === 'GET') {
      // Audited before a byte leaves, every request: a player seeking issues several, and reading a
      // file in ranges must not be a way around the audit trail.
      await deps.store.events.append({
        callId: rec.callId, recordingId: rec.id, type: download ? 'downloaded' : 'listened', actor,
        detail: { bytes: `${start}-${end}/${file.size}`, via: 'api' },
      });
    }
    res.status(range.kind === 'partial' ? 206 : 200);
    res.set({
      'Content-Type': 'audio/wav', 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, no-store',
      'Content-Length': String(file.size === 0 ? 0 : end - start + 1),
      'Content-Disposition': download ? `attachment; filename="${downloadName(rec)}"` : 'inline',
    });
    if (range.kind === 'partial') res.set('Content-Range', `bytes ${start}-${end}/${file.size}`);
    await stream(file.path, start, end, file.size, res);
  });
}

function stream(file: string, start: number, end: number, size: number, res: Response): Promise<void> {
  return new Promise((resolve) => {
    if (size === 0 || res.req.method === 'HEAD') { res.end(); resolve(); return; }
    const s = fs.createReadStream(file, { start, end });
    s.on('error', () => { res.destroy(); resolve(); });
    res.on('close', () => { s.destroy(); resolve(); });
    s.pipe(res);
  });
}
