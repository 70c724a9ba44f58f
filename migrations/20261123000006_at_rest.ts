// Recordings at rest: the wrapped data key of an encrypted file and what its purge destroyed.
// stored_bytes null on a completed/failed row is the backlog: the plaintext may still be on disk.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.string('key_id', 32); // the master key that wraps wrapped_key
    t.string('wrapped_key', 96); // base64 nonce|data key|tag; null once shredded
    t.bigInteger('stored_bytes'); // size on disk (size_bytes stays the plaintext's)
    t.datetime('key_destroyed_at', { precision: 3 }); // crypto-shredding, in the tombstone
    t.string('format', 8); // stored audio format; null = the PBX's WAV
    t.index(['stored_bytes', 'state'], 'rec_backlog_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('recordings', (t) => {
    t.dropIndex(['stored_bytes', 'state'], 'rec_backlog_idx');
    t.dropColumn('format');
    t.dropColumn('key_destroyed_at');
    t.dropColumn('stored_bytes');
    t.dropColumn('wrapped_key');
    t.dropColumn('key_id');
  });
}
