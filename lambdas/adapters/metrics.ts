/**
 * CloudWatch metrics through the Embedded Metric Format: one JSON line on stdout that Lambda's log pipeline
 * turns into a metric, with no SDK call on the hot path. The leak-scan alarm watches `Dispatch/LeakScan`.
 */
export function emitCount(namespace: string, name: string, value = 1, dimensions: Record<string, string> = {}): void {
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: 'Count' }] },
      ],
    },
    ...dimensions,
    [name]: value,
  };
  process.stdout.write(JSON.stringify(line) + '\n');
}
