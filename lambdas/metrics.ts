/** The CloudWatch names the functions publish under (Powertools adds a `service` dimension); the stack's alarms watch the same. */
export const metricsNamespace = 'Briefing';
export const serviceName = 'briefing';
export const editionsPausedMetric = 'EditionsPaused';
