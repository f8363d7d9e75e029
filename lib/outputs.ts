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
  /** The Secrets Manager secret that signs confirm and unsubscribe links (`subscribers add --stack` signs its confirm link with it). */
  tokenSecretArn: 'TokenSecretArn',
  /** The SES configuration set every message goes out with. */
  configurationSetName: 'ConfigurationSetName',
  /** The newsletter settings the functions run with, as JSON by config key (the confirmation email `subscribers add --stack` sends). */
  newsletterSettings: 'NewsletterSettings',
  /** The Secrets Manager secret holding the bearer key of `POST /articles`. */
  ingestKeySecretArn: 'IngestKeySecretArn',
} as const;
