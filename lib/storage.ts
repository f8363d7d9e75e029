import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import type { StoreName, TableLayout } from '../lambdas/aws/dynamodb/tables.ts';
import { tableVariables } from '../lambdas/config/environment.ts';

type KeyAttribute = NonNullable<TableLayout['sortKey']>;

/**
 * What a function may do with a table, by what the stores call: `read` is GetItem, BatchGetItem and
 * Query (never Scan, which only the CLI's list and export use, with the operator's credentials),
 * `write` is conditional PutItem and UpdateItem, `delete` DeleteItem, `batchWrite` BatchWriteItem: the
 * article store's put, which only the feed poller and the ingest API call. (IAM cannot tell a batch's
 * puts from its deletes: a function with `batchWrite` could also delete that table's items.)
 */
export const tableActions = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  delete: ['dynamodb:DeleteItem'],
  batchWrite: ['dynamodb:BatchWriteItem'],
} as const;
export type TableAccess = keyof typeof tableActions;

export interface StorageProps {
  readonly layouts: Readonly<Record<StoreName, TableLayout>>;
}

const attributeType = (key: KeyAttribute): AttributeType =>
  ({ S: AttributeType.STRING, N: AttributeType.NUMBER })[key.type];

const toCdkKey = (key: KeyAttribute) => ({ name: key.name, type: attributeType(key) });

/** The DynamoDB tables of `tableLayouts`: on demand, point-in-time recovery, kept when the stack is deleted. */
export class Storage extends Construct {
  readonly tables: Readonly<Record<StoreName, ITable>>;
  private readonly layouts: Readonly<Record<StoreName, TableLayout>>;
  private readonly ids: Readonly<Record<StoreName, string>> = {
    articles: 'Articles',
    subscribers: 'Subscribers',
    editions: 'Editions',
    deliveries: 'Deliveries',
    feeds: 'Feeds',
    variants: 'Variants',
  };

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.layouts = props.layouts;
    const table = (name: StoreName, logicalId: string): ITable => {
      const layout = props.layouts[name];
      const created = new Table(this, logicalId, {
        partitionKey: toCdkKey(layout.partitionKey),
        sortKey: layout.sortKey && toCdkKey(layout.sortKey),
        timeToLiveAttribute: layout.timeToLiveAttribute,
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // Subscribers' consent and the delivery record outlive the stack: deleting it must not delete them.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of layout.globalSecondaryIndexes ?? []) {
        created.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: toCdkKey(index.partitionKey),
          sortKey: index.sortKey && toCdkKey(index.sortKey),
          projectionType: ProjectionType.ALL,
        });
      }
      return created;
    };
    this.tables = {
      articles: table('articles', this.ids.articles),
      subscribers: table('subscribers', this.ids.subscribers),
      editions: table('editions', this.ids.editions),
      deliveries: table('deliveries', this.ids.deliveries),
      feeds: table('feeds', this.ids.feeds),
      variants: table('variants', this.ids.variants),
    };
  }

  /** Lets a function use one store's table as `access` says (and its indexes, for Query), and tells it the table's name. */
  grant(fn: LambdaFunction, store: StoreName, ...access: TableAccess[]): void {
    this.tables[store].grant(fn, ...access.flatMap((kind) => tableActions[kind]));
    fn.addEnvironment(tableVariables[store], this.tables[store].tableName);
    this.allowIndexes(fn, [store]);
  }

  /** CDK grants a table's global secondary indexes as `<table ARN>/index/*`: only that table's own indexes, which the stores query. */
  private allowIndexes(fn: LambdaFunction, stores: readonly StoreName[]): void {
    const indexed = stores.filter((store) => this.layouts[store].globalSecondaryIndexes?.length);
    if (indexed.length === 0 || !fn.role) return;
    NagSuppressions.addResourceSuppressions(
      fn.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `Queries on the ${indexed.join(', ')} tables' own global secondary indexes (${indexed.flatMap((store) => this.layouts[store].globalSecondaryIndexes!.map((index) => index.indexName)).join(', ')}); the grant names the table's ARN + /index/*, no other table.`,
          appliesTo: indexed.map((store) => ({ regex: `/^Resource::<${this.node.id}${this.ids[store]}[0-9A-F]{8}\\.Arn>\\/index\\/\\*$/g` })),
        },
      ],
      true,
    );
  }
}
