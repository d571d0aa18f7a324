/**
 * The AWS API calls a function's code makes, derived from the code itself: the entry point is bundled
 * with esbuild exactly as far as tree-shaking keeps it (the `@headroom/core` layer included, since the
 * layer is the function's code too), and every live reference to an AWS SDK Command class, paginator,
 * waiter or call-making Powertools utility in the bundle becomes an IAM action.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import ts from 'typescript';

/** SDK client package → IAM service prefix. An unknown package is an error: add it here. */
export const CLIENT_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-application-auto-scaling': 'application-autoscaling',
  '@aws-sdk/client-cloudfront': 'cloudfront',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-elasticache': 'elasticache',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-scheduler': 'scheduler',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-ssm': 'ssm',
};

/** API operations whose IAM action has another name (AWS Service Authorization Reference). */
const ACTION_RENAMES: Readonly<Record<string, string>> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  // SendMessageBatch is authorised by sqs:SendMessage (SQS has no separate batch action).
  'sqs:SendMessageBatch': 'sqs:SendMessage',
};

/** Waiters poll a describe call; each one used is listed so that none is guessed. */
const WAITERS: Readonly<Record<string, string>> = {
  waitUntilDBInstanceAvailable: 'DescribeDBInstances',
  waitUntilReplicationGroupAvailable: 'DescribeReplicationGroups',
  waitUntilCacheClusterAvailable: 'DescribeCacheClusters',
  waitUntilInvalidationCompleted: 'GetInvalidation',
  waitUntilDistributionDeployed: 'GetDistribution',
};

/** DynamoDB document-client commands (lib-dynamodb) → the table operation they send. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  GetCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  ScanCommand: 'dynamodb:Scan',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  BatchWriteCommand: 'dynamodb:BatchWriteItem',
  TransactGetCommand: 'dynamodb:TransactGetItems',
  TransactWriteCommand: 'dynamodb:TransactWriteItems',
};

/**
 * Powertools utilities that call AWS on the function's behalf (read from their sources, v2.35).
 * Packages not listed (logger, metrics, tracer, batch, parser, commons, jmespath) make no AWS API call:
 * metrics are EMF lines on stdout and traces go to the X-Ray daemon, which Tracing grants.
 */
const POWERTOOLS_CALLS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  '@aws-lambda-powertools/parameters/secrets': {
    getSecret: ['secretsmanager:GetSecretValue'],
    SecretsProvider: ['secretsmanager:GetSecretValue'],
  },
  '@aws-lambda-powertools/parameters/ssm': {
    getParameter: ['ssm:GetParameter'],
    getParameters: ['ssm:GetParametersByPath'],
    getParametersByName: ['ssm:GetParameters'],
    setParameter: ['ssm:PutParameter'],
    SSMProvider: ['ssm:GetParameter', 'ssm:GetParametersByPath'],
  },
  '@aws-lambda-powertools/parameters/dynamodb': {
    DynamoDBProvider: ['dynamodb:GetItem', 'dynamodb:Query'],
  },
  '@aws-lambda-powertools/parameters/appconfig': {
    getAppConfig: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
    AppConfigProvider: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
  },
  '@aws-lambda-powertools/idempotency/dynamodb': {
    DynamoDBPersistenceLayer: [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
  },
};

const CALLING_POWERTOOLS = /^@aws-lambda-powertools\/(parameters|idempotency)(\/|$)/;

export interface CodeCall {
  /** IAM action as AWS spells it, e.g. `autoscaling:SetDesiredCapacity`. */
  action: string;
  /** What in the code makes the call, e.g. `@aws-sdk/client-auto-scaling SetDesiredCapacityCommand`. */
  via: string;
}

export interface CodeCalls {
  entry: string;
  calls: CodeCall[];
  /** Project source files that survive tree-shaking into the bundle. */
  sources: string[];
}

/** Bundles the entry the way the layer + function run together and returns the live bundle text. */
export async function bundleForAnalysis(
  entry: string,
  root: string,
): Promise<{ text: string; sources: string[] }> {
  const coreSrc = join(root, 'layers/core/src');
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    metafile: true,
    outfile: 'iam-analysis.mjs',
    logLevel: 'silent',
    plugins: [
      {
        name: 'layer-as-source',
        setup(build) {
          build.onResolve({ filter: /^@headroom\/core(\/.*)?$/ }, (args) => {
            const rest = args.path.slice('@headroom/core'.length);
            const file =
              rest === '' ? join(coreSrc, 'index.ts') : join(coreSrc, rest.replace(/\.js$/, '.ts'));
            if (!existsSync(file))
              return { errors: [{ text: `${args.importer}: ${args.path} not found (${file})` }] };
            return { path: file };
          });
          // Every other package stays an import, so its imported names can be read off the bundle.
          build.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  const [output] = Object.values(result.metafile.outputs);
  const [file] = result.outputFiles;
  if (output === undefined || file === undefined) throw new Error(`${entry}: esbuild produced no output`);
  const sources = Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path)
    .sort();
  return { text: file.text, sources };
}

interface ImportedName {
  module: string;
  /** Name exported by the module. */
  name: string;
  /** Local binding in the bundle (esbuild may rename it). */
  local: string;
}

/** Imports from external modules, and the identifiers the live code refers to. */
export function readBundle(text: string): {
  imports: ImportedName[];
  referenced: Set<string>;
  namespaces: Map<string, Set<string>>;
} {
  const file = ts.createSourceFile('bundle.mjs', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const imports: ImportedName[] = [];
  const namespaceModules = new Map<string, string>();
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const module = statement.moduleSpecifier.text;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        imports.push({ module, name: (element.propertyName ?? element.name).text, local: element.name.text });
      }
    } else if (bindings && ts.isNamespaceImport(bindings)) {
      namespaceModules.set(bindings.name.text, module);
    }
    if (statement.importClause?.name) {
      imports.push({ module, name: 'default', local: statement.importClause.name.text });
    }
  }
  const referenced = new Set<string>();
  const namespaces = new Map<string, Set<string>>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) return;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      const module = specifier && ts.isStringLiteral(specifier) ? specifier.text : '(computed)';
      if (
        module === '(computed)' ||
        /^@aws-sdk\/|^@aws-lambda-powertools\/(parameters|idempotency)/.test(module)
      ) {
        throw new Error(
          `dynamic import of ${module}: the calls it makes cannot be read; import it statically`,
        );
      }
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const module = namespaceModules.get(node.expression.text);
      if (module !== undefined) {
        const names = namespaces.get(module) ?? new Set<string>();
        names.add(node.name.text);
        namespaces.set(module, names);
      }
    }
    if (ts.isIdentifier(node)) referenced.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { imports, referenced, namespaces };
}

export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Maps one imported name to the IAM actions it makes, or [] if it makes none (types, enums, clients). */
export async function actionsOfImport(module: string, name: string): Promise<string[]> {
  const prefix = CLIENT_PREFIX[module];
  if (module.startsWith('@aws-sdk/client-')) {
    if (prefix === undefined)
      throw new Error(`${module}: no IAM service prefix known; add it to CLIENT_PREFIX`);
    let operation: string | undefined;
    if (name.endsWith('Command')) operation = name.slice(0, -'Command'.length);
    else if (name.startsWith('paginate')) operation = name.slice('paginate'.length);
    else if (name.startsWith('waitUntil') || name.startsWith('waitFor')) {
      operation = WAITERS[name];
      if (operation === undefined)
        throw new Error(`${module} ${name}: waiter not in WAITERS; add the call it polls`);
    } else if (await isAggregatedClient(module, name)) {
      throw new Error(
        `${module} ${name}: the aggregated client hides which operations are called; use ${name}Client with Command classes`,
      );
    }
    if (operation === undefined) return [];
    const action = `${prefix}:${operation}`;
    return [ACTION_RENAMES[action] ?? action];
  }
  if (module === '@aws-sdk/lib-dynamodb') {
    const action = DOCUMENT_COMMANDS[name];
    if (action !== undefined) return [action];
    if (name.endsWith('Command') || name.startsWith('paginate')) {
      throw new Error(`${module} ${name}: not in DOCUMENT_COMMANDS; add the table operation it sends`);
    }
    return [];
  }
  if (CALLING_POWERTOOLS.test(module)) {
    const known = POWERTOOLS_CALLS[module]?.[name];
    if (known !== undefined) return [...known];
    if (/^[A-Z].*Provider$|^get|^set|PersistenceLayer$/.test(name)) {
      throw new Error(
        `${module} ${name}: Powertools utility not in POWERTOOLS_CALLS; add the calls it makes`,
      );
    }
    return [];
  }
  return [];
}

/** `CloudWatch` (aggregated) has every operation as a method; `CloudWatchClient` only has `send`. */
async function isAggregatedClient(module: string, name: string): Promise<boolean> {
  if (name.endsWith('Client') || !/^[A-Z]/.test(name)) return false;
  const exported: unknown = ((await import(module)) as Record<string, unknown>)[name];
  if (typeof exported !== 'function') return false;
  const prototype = (exported as { prototype?: unknown }).prototype;
  return typeof prototype === 'object' && prototype !== null && 'send' in prototype;
}

/** Every AWS call the function whose handler source is `entry` makes. */
export async function deriveCodeCalls(entry: string, root: string): Promise<CodeCalls> {
  const { text, sources } = await bundleForAnalysis(entry, root);
  const { imports, referenced, namespaces } = readBundle(text);
  const used: { module: string; name: string }[] = imports.filter((i) => referenced.has(i.local));
  for (const [module, names] of namespaces) for (const name of names) used.push({ module, name });
  const calls = new Map<string, CodeCall>();
  for (const { module, name } of used) {
    for (const action of await actionsOfImport(module, name)) {
      const previous = calls.get(action);
      const via = `${module} ${name}`;
      calls.set(action, { action, via: previous ? `${previous.via}, ${via}` : via });
    }
  }
  return { entry, calls: [...calls.values()].sort((a, b) => a.action.localeCompare(b.action)), sources };
}
