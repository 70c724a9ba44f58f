// Declares a route once: the same zod schemas validate the request and describe it in the OpenAPI
// document, and the roles allowed are part of the declaration (checked before validation, so a
// forbidden role learns nothing about the route's inputs).
import { OpenAPIRegistry, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ApiKeyRecord, Role } from '../domain/api-keys';
import { actorOf } from '../domain/api-keys';
import { clip } from '../domain/excerpt';
import type { NewEvent } from '../store/events-repo';
import type { Logger } from '../util/logger';
import { ApiError, type FieldProblem } from './errors';

export type Method = 'get' | 'post' | 'put' | 'delete';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  path: string; // express syntax, relative to /api: '/recordings/:id'
  summary: string;
  tag: string;
  roles: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, ResponseConfig>;
  /** Writes an audit event of this type after each successful request other than GET. */
  audit?: string;
  /** Words each validation issue (the rules routes use the YAML import's wording); default: zod's message. */
  issues?: (issue: z.core.$ZodIssue) => Array<{ path: PropertyKey[]; problem: string }>;
}

// A 400 names at most MAX_PROBLEMS problems, each clipped: a body with 3,000 unknown fields must
// not come back as a 100 kB answer.
const MAX_PROBLEMS = 10;
const PROBLEM_CHARS = 160;

type Issues = NonNullable<RouteSpec<z.ZodType, z.ZodType, z.ZodType>['issues']>;
const zodWording: Issues = (issue) => [{ path: issue.path, problem: issue.message }];

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  key: ApiKeyRecord;
  actor: string;
  req: Request;
  res: Response;
}

type Empty = z.ZodObject<Record<string, never>>;

/** The authenticated key, set by the auth middleware. */
export function keyOf(res: Response): ApiKeyRecord {
  const key = res.locals.apiKey as ApiKeyRecord | undefined;
  if (!key) throw new ApiError(401, 'unauthorized', 'an API key is required');
  return key;
}

function validate(
  part: 'params' | 'query' | 'body',
  schema: z.ZodType | undefined,
  value: unknown,
  problems: FieldProblem[],
  word: Issues,
): unknown {
  if (!schema) return {};
  // reportInput: a wording may tell a missing field from a wrong one (the input is never echoed).
  const r = schema.safeParse(value ?? {}, { reportInput: true });
  if (r.success) return r.data;
  for (const p of r.error.issues.flatMap(word)) {
    problems.push({
      field: [part, ...p.path.map((s) => clip(String(s)))].join('.'),
      problem: clip(p.problem, PROBLEM_CHARS),
    });
  }
  return undefined;
}

export class ApiRoutes {
  readonly router = Router();
  readonly registry = new OpenAPIRegistry();

  constructor(
    private readonly appendEvent?: (e: NewEvent) => Promise<void>,
    private readonly logger?: Logger,
  ) {}

  /** The change is made and answered; a failure to audit it is logged as an error, loudly. */
  private async audited(type: string, actor: string, req: Request, res: Response): Promise<void> {
    if (!this.appendEvent || req.method === 'GET' || res.statusCode >= 400) return;
    const request = `${req.method} ${req.baseUrl}${req.path}`;
    await this.appendEvent({
      callId: null,
      recordingId: null,
      type,
      actor,
      detail: { request, status: res.statusCode },
    }).catch((e: unknown) =>
      this.logger?.error('could not audit a change', { type, actor, request, error: e as Error }),
    );
  }

  add<P extends z.ZodType = Empty, Q extends z.ZodType = Empty, B extends z.ZodType = Empty>(
    spec: RouteSpec<P, Q, B>,
    handler: (ctx: Ctx<z.output<P>, z.output<Q>, z.output<B>>) => Promise<void>,
  ): void {
    this.registry.registerPath({
      method: spec.method,
      path: `/api${spec.path.replace(/:(\w+)/g, '{$1}')}`,
      summary: spec.summary,
      description: `Roles: ${spec.roles.join(', ')}.`,
      tags: [spec.tag],
      security: [{ bearer: [] }],
      request: {
        ...(spec.params ? { params: spec.params as unknown as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as unknown as z.ZodObject } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: spec.responses,
    });
    this.router[spec.method](spec.path, async (req, res) => {
      const key = keyOf(res);
      if (!spec.roles.includes(key.role)) {
        throw new ApiError(403, 'forbidden', `role ${key.role} may not ${spec.summary.toLowerCase()}`);
      }
      const problems: FieldProblem[] = [];
      const word = spec.issues ?? zodWording;
      const params = validate('params', spec.params, req.params, problems, word);
      const query = validate('query', spec.query, req.query, problems, word);
      const body = validate('body', spec.body, req.body, problems, word);
      if (problems.length > 0) {
        const shown = problems.slice(0, MAX_PROBLEMS);
        const more = problems.length > MAX_PROBLEMS ? `; and ${problems.length - MAX_PROBLEMS} more` : '';
        throw new ApiError(
          400,
          'invalid-request',
          shown.map((p) => `${p.field}: ${p.problem}`).join('; ') + more,
          shown,
        );
      }
      const actor = actorOf(key);
      await handler({
        params: params as z.output<P>,
        query: query as z.output<Q>,
        body: body as z.output<B>,
        key,
        actor,
        req,
        res,
      });
      if (spec.audit) await this.audited(spec.audit, actor, req, res);
    });
  }
}
