/**
 * Every tier's owner: what the flows that resolve services (evaluate, forecast, LoadContext) read.
 * The readers and their RDS, ElastiCache and CloudFront clients are loaded on the first read of an
 * owner, since most services declare no database, cache or CDN tier. Loaded late, their code is
 * still in the bundle and parsed, but not run at start: the evaluate bundle's import does 7 % less
 * work (docs/operations.md, "Cold starts"). A failed load is tried again on the next read.
 * Not in the package's index: a module that loads another late makes esbuild keep that module's
 * imports whole, in every bundle whose graph holds it, so only the bundles that read owners import this.
 */
import type { ResourceOwners, TierKind } from '../config/managedServices.js';
import type { Clock } from '../ports/index.js';
import { clientConfig } from './clients.js';
import { keptOwners, type OwnerReader } from './resourceOwners.js';

export function tierOwners(clock: Clock, account: { accountId: string; partition: string }): ResourceOwners {
  let loading: Promise<Record<TierKind, OwnerReader>> | undefined;
  const readers = () =>
    (loading ??= import('./ownerReaders.js')
      .then((m) => m.tierReaders(account, clientConfig))
      .catch((error: unknown) => {
        loading = undefined;
        throw error;
      }));
  const onFirstRead =
    (kind: TierKind): OwnerReader =>
    async (id) =>
      (await readers())[kind](id);
  return keptOwners(
    {
      database: onFirstRead('database'),
      cache: onFirstRead('cache'),
      distribution: onFirstRead('distribution'),
    },
    clock,
  );
}
