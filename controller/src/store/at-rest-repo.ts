// Encryption at rest: the backlog, the sealing steps and key rotation, over the recordings table.
// stored_bytes stays null until the plaintext is gone, so a crash between any two steps leaves
// the row in the backlog, where the next pass finishes it.
import type { RecordingRecord } from '../domain/records';
import { recordingFromRow, recordingRows } from './recordings-repo';
import type { Row } from './rows';
import { Repo } from './repo';

/** States whose file is final: the ones worth encrypting (a failed file may still hold audio). */
export const SETTLED = ['completed', 'failed'] as const;

export class AtRestRepo extends Repo {
  /**
   * Also a purged row that was sealed but never left the backlog: a crash between its row update
   * and the plaintext's unlink, then a purge of the ciphertext, leaves that plaintext to remove.
   */
  private backlogQuery(q = this.knex('recordings')) {
    return q
      .whereNull('stored_bytes')
      .where((q) =>
        q.whereIn('state', [...SETTLED]).orWhere((p) => p.where({ state: 'purged' }).whereNotNull('key_id')),
      );
  }

  /** Settled recordings whose plaintext may still be on disk, by id after `afterId`. */
  async backlog(afterId: number, limit: number): Promise<RecordingRecord[]> {
    const rows = (await this.backlogQuery(recordingRows(this.knex))
      .where('recordings.id', '>', afterId)
      .orderBy('recordings.id')
      .limit(limit)) as Row[];
    return rows.map(recordingFromRow);
  }

  async backlogCount(): Promise<number> {
    const [row] = (await this.backlogQuery().count({ n: '*' })) as Row[];
    return Number(row?.n ?? 0);
  }

  /** The ciphertext is in place: the row points at it with its wrapped key (false: the row moved on). */
  async sealed(
    id: number,
    filePath: string,
    keyId: string,
    wrappedKey: string,
    format: string | null = null,
  ): Promise<boolean> {
    const n = await this.knex('recordings')
      .whereNull('stored_bytes')
      .whereIn('state', [...SETTLED])
      .where({ id })
      .whereNull('key_id')
      .update({ file_path: filePath, key_id: keyId, wrapped_key: wrappedKey, format, updated_at: this.now() });
    return Number(n) === 1;
  }

  /** The plaintext is gone (or there never was a file: 0 bytes): the row leaves the backlog. */
  async stored(id: number, bytes: number): Promise<void> {
    await this.knex('recordings')
      .where({ id })
      .whereNull('stored_bytes')
      .update({ stored_bytes: bytes, updated_at: this.now() });
  }

  /** Wrapped keys not under `keyId`, by id after `afterId` (rotation walks them in batches). */
  async wrappedNotUnder(
    keyId: string,
    afterId: number,
    limit: number,
  ): Promise<Array<{ id: number; keyId: string; wrappedKey: string }>> {
    const rows = (await this.knex('recordings')
      .select('id', 'key_id', 'wrapped_key')
      .whereNotNull('wrapped_key')
      .whereNot('key_id', keyId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)) as Row[];
    return rows.map((r) => ({ id: Number(r.id), keyId: String(r.key_id), wrappedKey: String(r.wrapped_key) }));
  }

  /** Re-wrap one key, only if it is still the one read (a purge may have shredded it meanwhile). */
  async rewrap(
    id: number,
    from: { keyId: string; wrappedKey: string },
    keyId: string,
    wrappedKey: string,
  ): Promise<boolean> {
    const n = await this.knex('recordings')
      .where({ id, key_id: from.keyId, wrapped_key: from.wrappedKey })
      .update({ key_id: keyId, wrapped_key: wrappedKey, updated_at: this.now() });
    return Number(n) === 1;
  }

  /** How many data keys each master key wraps (doctor, rotation). */
  async keysByMaster(): Promise<Record<string, number>> {
    const rows = (await this.knex('recordings')
      .select('key_id')
      .count({ n: '*' })
      .whereNotNull('wrapped_key')
      .groupBy('key_id')) as Row[];
    return Object.fromEntries(rows.map((r) => [String(r.key_id), Number(r.n)]));
  }
}
