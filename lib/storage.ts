import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type StoreName, type TableLayout, tableVariables } from '../lambdas/stores/tables.ts';

type KeyAttribute = NonNullable<TableLayout['sortKey']>;

export interface StorageProps {
  readonly layouts: Readonly<Record<StoreName, TableLayout>>;
}

const attributeType = (key: KeyAttribute): AttributeType =>
  ({ S: AttributeType.STRING, N: AttributeType.NUMBER })[key.type];

const toCdkKey = (key: KeyAttribute) => ({ name: key.name, type: attributeType(key) });

/** The four DynamoDB tables: on demand, point-in-time recovery, kept when the stack is deleted. */
export class Storage extends Construct {
  readonly tables: Readonly<Record<StoreName, ITable>>;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
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
      articles: table('articles', 'Articles'),
      subscribers: table('subscribers', 'Subscribers'),
      editions: table('editions', 'Editions'),
      deliveries: table('deliveries', 'Deliveries'),
    };
  }

  /** Lets a function read these stores' tables, and tells it their names. */
  grantRead(fn: LambdaFunction, ...stores: StoreName[]): void {
    for (const store of stores) {
      this.tables[store].grantReadData(fn);
      fn.addEnvironment(tableVariables[store], this.tables[store].tableName);
    }
  }

  /** Lets a function read and write these stores' tables, and tells it their names. */
  grantReadWrite(fn: LambdaFunction, ...stores: StoreName[]): void {
    for (const store of stores) {
      this.tables[store].grantReadWriteData(fn);
      fn.addEnvironment(tableVariables[store], this.tables[store].tableName);
    }
  }
}
