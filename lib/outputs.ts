/**
 * The stack's output keys. The CLI reads them to find a deployed stack's parts, so this module
 * imports nothing from the CDK and the CLI stays light.
 */
export const stackOutputs = {
  composeFunctionName: 'ComposeFunctionName',
  apiUrl: 'ApiUrl',
  queueUrl: 'DeliveryQueueUrl',
  articlesTable: 'ArticlesTableName',
  subscribersTable: 'SubscribersTableName',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardUrl: 'DashboardUrl',
  apiDomainTarget: 'ApiDomainTarget',
} as const;
