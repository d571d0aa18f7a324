/**
 * The scope issue 13 asks of the RDS and ElastiCache grants, read straight off the resolved
 * statements: nothing deletes or tags `db:*`, a replica's source on `db:*` must carry a
 * headroom:service tag, and ElastiCache replica changes always carry a condition.
 */
import { describe, expect, it } from '@jest/globals';
import { identityPolicies } from '../../scripts/iamResolve.js';
import { loadTemplate } from './template.js';

const statements = [...identityPolicies(loadTemplate()).entries()].flatMap(([id, list]) =>
  list.map((s) => ({ id, ...s })),
);
const granting = (action: string) =>
  statements.filter(
    (s) => s.effect === 'Allow' && s.actions.some((a) => a.toLowerCase() === action.toLowerCase()),
  );
const onAnyDb = (resources: readonly string[]) => resources.some((r) => /:db:\*$/.test(r) || r === '*');

describe('RDS and ElastiCache grants are scoped', () => {
  it('grants rds:DeleteDBInstance and rds:AddTagsToResource on no db:*', () => {
    for (const action of ['rds:DeleteDBInstance', 'rds:AddTagsToResource']) {
      expect(granting(action).length).toBeGreaterThan(0);
      expect(
        granting(action)
          .filter((s) => onAnyDb(s.resources))
          .map((s) => `${s.id} ${s.sid}`),
      ).toEqual([]);
    }
  });

  it('grants rds:CreateDBInstanceReadReplica on db:* only for a source tagged headroom:service', () => {
    const wide = granting('rds:CreateDBInstanceReadReplica').filter((s) => onAnyDb(s.resources));
    expect(wide.length).toBeGreaterThan(0);
    for (const s of wide) expect(s.condition).toEqual({ Null: { 'rds:db-tag/headroom:service': 'false' } });
  });

  it('puts a condition on every ElastiCache replica change', () => {
    const changes = [
      ...granting('elasticache:IncreaseReplicaCount'),
      ...granting('elasticache:DecreaseReplicaCount'),
    ];
    expect(changes.length).toBeGreaterThan(0);
    for (const s of changes)
      expect(s.condition).toEqual({ Null: { 'aws:ResourceTag/headroom:service': 'false' } });
  });
});
