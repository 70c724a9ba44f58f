import type { ApiKeyRecord, Role } from '../domain/api-keys';
import { toDate, toDateReq, toStr, type Row } from './rows';
import { Repo } from './repo';

export interface NewApiKey {
  name: string;
  prefix: string;
  hash: string;
  role: Role;
  agent: string | null;
}

function fromRow(r: Row): ApiKeyRecord {
  return {
    id: Number(r.id),
    name: String(r.name),
    prefix: String(r.prefix),
    role: String(r.role) as Role,
    agent: toStr(r.agent),
    createdAt: toDateReq(r.created_at),
    lastUsedAt: toDate(r.last_used_at),
    revokedAt: toDate(r.revoked_at),
  };
}

export class KeysRepo extends Repo {
  /** Refused by the unique index when the name is taken (compared without case and trailing spaces). */
  async insert(k: NewApiKey): Promise<ApiKeyRecord> {
    const [id] = await this.knex('api_keys').insert({ ...k, name: k.name.trim(), created_at: this.now() });
    const row = (await this.knex('api_keys')
      .where({ id: Number(id) })
      .first()) as Row;
    return fromRow(row);
  }

  /** The key with this prefix and its stored hash, when it is not revoked. */
  async findActive(prefix: string): Promise<{ key: ApiKeyRecord; hash: string } | null> {
    const row = (await this.knex('api_keys').where({ prefix }).whereNull('revoked_at').first()) as Row | undefined;
    return row ? { key: fromRow(row), hash: String(row.hash) } : null;
  }

  /** The key by id when it is not revoked (audio tokens name their key by id). */
  async getActive(id: number): Promise<ApiKeyRecord | null> {
    const row = (await this.knex('api_keys').where({ id }).whereNull('revoked_at').first()) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** The key (active or revoked) holding this name, as the unique index compares names. */
  async byName(name: string): Promise<ApiKeyRecord | null> {
    const row = (await this.knex('api_keys').whereRaw('lower(name) = ?', [name.trim().toLowerCase()]).first()) as
      Row | undefined;
    return row ? fromRow(row) : null;
  }

  async touch(id: number): Promise<void> {
    await this.knex('api_keys').where({ id }).update({ last_used_at: this.now() });
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = (await this.knex('api_keys').orderBy('id')) as Row[];
    return rows.map(fromRow);
  }

  async revoke(id: number): Promise<boolean> {
    const n = await this.knex('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: this.now() });
    return Number(n) === 1;
  }
}
