import type { Db } from '../db/client';
import { anySealedKey, claimMeta, readMeta } from '../db/meta';
import { StartupError } from '../ops/startup-error';
import type { Sealer } from './keys';

const CHECK = 'master_key_check';

/**
 * The value stored to recognise the master key: a key derived from it for this purpose alone
 * (HMAC-SHA256 under the sealing key), so it reveals nothing about the key or any secret.
 */
export const masterKeyCheck = (sealer: Sealer) => Buffer.from(sealer.derive('parley master key check v1')).toString('base64url');

/**
 * Refuses to start a server whose master key is not the one the database was set up with: it
 * could not unseal the tenants' secret keys, so every token check would fail. The first start
 * stores the check value; a database from before the check is first tested by unsealing one
 * stored key. Servers sharing a Postgres database must also share the admin token: a server
 * that made up its own (none configured) for a database another start already set up is
 * refused too (with PGlite the token's file sits beside the database in DATA_DIR).
 */
export async function checkMasterKey(
  db: Db,
  sealer: Sealer,
  how: { masterKeyGenerated: boolean; adminTokenGenerated: boolean; shared: boolean },
): Promise<void> {
  const mine = masterKeyCheck(sealer);
  const hint = how.masterKeyGenerated
    ? ' PARLEY_MASTER_KEY is not set and this start generated its own: set the same PARLEY_MASTER_KEY on every server sharing the database.'
    : ' Start every server sharing the database with the same PARLEY_MASTER_KEY.';
  const refuse = () => new StartupError(`the master key does not match the one this database was set up with.${hint}`);
  const stored = await readMeta(db, CHECK);
  if (stored === null) {
    // A database from before the check: a wrong key must not become the stored one.
    const sealed = await anySealedKey(db);
    if (sealed && !unseals(sealer, sealed)) throw refuse();
    if ((await claimMeta(db, CHECK, mine)) !== mine) throw refuse();
    return;
  }
  if (stored !== mine) throw refuse();
  if (how.shared && how.adminTokenGenerated)
    throw new StartupError(
      'PARLEY_ADMIN_TOKEN is not set and this database was set up by another start: set the same PARLEY_ADMIN_TOKEN on every server sharing the database.',
    );
}

function unseals(sealer: Sealer, sealed: string): boolean {
  try {
    sealer.unseal(sealed);
    return true;
  } catch {
    return false; // the authentication tag does not match: another key sealed it
  }
}
