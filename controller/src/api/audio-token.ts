// Short-lived signed audio URLs. An <audio> element cannot send an Authorization header, and the
// key must never appear in a URL (logs, history, Referer), so the dashboard trades its key for a
// token bound to that key and one recording, valid a few minutes, sent as ?token= to the audio
// route. The key is looked up again on every use: revoking it kills its tokens at once.
import { ROLES } from '../domain/api-keys';
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { KeysRepo } from '../store/keys-repo';
import { visibleRecording } from './access';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import type { ApiRoutes } from './route';
import { errorResponse, IdParam, jsonResponse } from './schemas';
import { z } from 'zod';

export const AUDIO_TOKEN_TTL_MS = 5 * 60_000;

export class AudioTokens {
  // Per process: tokens are minutes long, so a restart only makes the player ask again.
  constructor(
    private readonly secret: Buffer = crypto.randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {}

  private mac(body: string): string {
    return crypto.createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  issue(keyId: number, recordingId: number): { token: string; expiresAt: Date } {
    const exp = this.now() + AUDIO_TOKEN_TTL_MS;
    const body = `${keyId}.${recordingId}.${exp}`;
    return { token: `${body}.${this.mac(body)}`, expiresAt: new Date(exp) };
  }

  /** The key id the token was issued to, when it is genuine, unexpired and for this recording. */
  verify(token: string, recordingId: number): number | null {
    const m = /^(\d{1,15})\.(\d{1,16})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const [, keyId, recId, exp, mac] = m as unknown as [string, string, string, string, string];
    const expected = Buffer.from(this.mac(`${keyId}.${recId}.${exp}`));
    if (expected.length !== mac.length || !crypto.timingSafeEqual(expected, Buffer.from(mac))) return null;
    if (Number(recId) !== recordingId || Number(exp) < this.now()) return null;
    return Number(keyId);
  }
}

const AUDIO_PATH = /^\/recordings\/([1-9]\d{0,15})\/audio$/;

/** Authenticates GET/HEAD of the audio route by ?token=, before the Bearer check runs. */
export function audioTokenAuth(tokens: AudioTokens, keys: KeysRepo): RequestHandler {
  return async (req, res, next) => {
    const token = req.query.token;
    const m = AUDIO_PATH.exec(req.path);
    if (typeof token !== 'string' || !m || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    const keyId = tokens.verify(token, Number(m[1]));
    const key = keyId === null ? null : await keys.getActive(keyId);
    // Refused by requireKey after the limiter has counted it, like a bad key.
    if (!key)
      res.locals.authRefusal = new ApiError(
        401,
        'unauthorized',
        'audio token invalid, expired or for another recording; ask for a new one',
      );
    else res.locals.apiKey = key;
    next();
  };
}

const TokenAnswer = z.object({ token: z.string(), expiresAt: z.string(), url: z.string() });

export function audioTokenRoutes(routes: ApiRoutes, deps: ApiDeps, tokens: AudioTokens): void {
  routes.add(
    {
      method: 'post',
      path: '/recordings/:id/audio-token',
      tag: 'recordings',
      summary: 'Get a short-lived URL to play or download a recording',
      roles: ROLES,
      params: IdParam,
      responses: {
        200: jsonResponse(
          'Token valid 5 minutes for this key and recording; use as ?token= on the audio route',
          TokenAnswer,
        ),
        404: errorResponse('No such recording'),
      },
    },
    async ({ params, key, res }) => {
      const rec = await visibleRecording(deps.store, params.id, key);
      const t = tokens.issue(key.id, rec.id);
      res.set('Cache-Control', 'no-store');
      res.json({
        token: t.token,
        expiresAt: t.expiresAt.toISOString(),
        url: `/api/recordings/${rec.id}/audio?token=${encodeURIComponent(t.token)}`,
      });
    },
  );
}
