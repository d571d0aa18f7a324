/**
 * A small IAM policy evaluator, enough to read template.yaml's policies as AWS would: Allow and
 * Deny, Action and Resource patterns (`*`, `?`), Principal `*` or ARNs, and the Condition operators
 * the template uses. An explicit Deny wins, then any Allow; otherwise the request is denied.
 * Not covered: NotAction/NotResource/NotPrincipal, policy variables, permission boundaries, SCPs.
 */

/** A condition key's value in the request: absent keys are simply not in the map. */
export type ContextValue = string | readonly string[];

export interface IamRequest {
  action: string;
  resource: string;
  /** Condition keys, e.g. `aws:ResourceTag/headroom:service`, `dynamodb:LeadingKeys`, `aws:PrincipalArn`. */
  context?: Readonly<Record<string, ContextValue>>;
}

export interface IamStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: readonly string[];
  resources: readonly string[];
  /** Resource-based policies only; `*` or principal ARNs matched against `aws:PrincipalArn`. */
  principals?: readonly string[];
  condition?: Readonly<Record<string, Readonly<Record<string, ContextValue>>>>;
}

export type IamDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

const escape = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = `^${escape(pattern).replace(/\*/g, '.*').replace(/\?/g, '.')}$`;
  return new RegExp(source, ignoreCase ? 'is' : 's').test(value);
}

/** ARN patterns match part by part (`arn:partition:service:region:account:resource`). */
function arnLike(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return wildcardMatch(pattern, value);
  const head = (parts: string[]) => parts.slice(0, 5);
  const tail = (parts: string[]) => parts.slice(5).join(':');
  return head(p).every((part, i) => wildcardMatch(part, v[i] ?? '')) && wildcardMatch(tail(p), tail(v));
}

type Test = (policyValue: string, requestValue: string) => boolean;

const TESTS: Readonly<Record<string, Test>> = {
  StringEquals: (p, r) => p === r,
  StringEqualsIgnoreCase: (p, r) => p.toLowerCase() === r.toLowerCase(),
  StringLike: (p, r) => wildcardMatch(p, r),
  ArnEquals: (p, r) => p === r,
  ArnLike: arnLike,
  Bool: (p, r) => p.toLowerCase() === r.toLowerCase(),
};
const NEGATED: Readonly<Record<string, string>> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
};

const list = (value: ContextValue | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** Condition keys are case-insensitive; the request's value for `key`, if any. */
function lookup(context: Readonly<Record<string, ContextValue>>, key: string): ContextValue | undefined {
  const wanted = key.toLowerCase();
  const found = Object.keys(context).find((k) => k.toLowerCase() === wanted);
  return found === undefined ? undefined : context[found];
}

/** One operator on one key: policy values are ORed; set operators per IAM's documented semantics. */
export function conditionHolds(
  operator: string,
  key: string,
  policyValue: ContextValue,
  context: Readonly<Record<string, ContextValue>>,
): boolean {
  const wanted = list(policyValue);
  const present = lookup(context, key);
  const values = list(present);
  if (operator === 'Null') {
    const mustBeAbsent = wanted.some((w) => w.toLowerCase() === 'true');
    return mustBeAbsent === (present === undefined);
  }
  const [qualifier, base] = operator.includes(':') ? operator.split(':', 2) : [undefined, operator];
  const name = base ?? operator;
  const negatedOf = NEGATED[name];
  const test = TESTS[negatedOf ?? name];
  if (test === undefined)
    throw new Error(`condition operator ${operator} is not supported by this evaluator`);
  const matches = (value: string) => wanted.some((w) => test(w, value));
  if (qualifier === 'ForAllValues') {
    // True when every request value matches, and so also when the key is absent or empty.
    return values.every((v) => (negatedOf ? !matches(v) : matches(v)));
  }
  if (qualifier === 'ForAnyValue') {
    return values.some((v) => (negatedOf ? !matches(v) : matches(v)));
  }
  if (qualifier !== undefined) throw new Error(`condition qualifier ${qualifier} is not supported`);
  // A negated operator holds when the key is absent; a positive one does not.
  if (negatedOf) return values.every((v) => !matches(v));
  return values.length > 0 && values.some(matches);
}

function applies(statement: IamStatement, request: IamRequest): boolean {
  const context = request.context ?? {};
  if (!statement.actions.some((a) => wildcardMatch(a, request.action, true))) return false;
  if (!statement.resources.some((r) => arnLike(r, request.resource))) return false;
  if (statement.principals !== undefined) {
    const principal = list(lookup(context, 'aws:PrincipalArn'))[0] ?? '';
    if (!statement.principals.some((p) => p === '*' || arnLike(p, principal))) return false;
  }
  return Object.entries(statement.condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, value]) => conditionHolds(operator, key, value, context)),
  );
}

/** AWS's order: an explicit Deny in any statement, else an Allow in any, else denied. */
export function evaluate(statements: readonly IamStatement[], request: IamRequest): IamDecision {
  const matching = statements.filter((s) => applies(s, request));
  if (matching.some((s) => s.effect === 'Deny')) return 'explicit-deny';
  return matching.some((s) => s.effect === 'Allow') ? 'allow' : 'implicit-deny';
}
