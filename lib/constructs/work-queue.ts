import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../../lambdas/adapters/data-model';

export interface WorkQueueProps {
  /** The queue as defined in `lambdas/adapters/data-model.ts`. */
  readonly definition: QueueDefinition;
  /**
   * How long an undelivered message waits in the work queue.
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long a dead letter waits for an operator (SQS maximum).
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
}

/**
 * A work queue and its dead-letter queue, both SSE (SQS-managed keys) and TLS-only. A message moves to the DLQ
 * after the definition's `maxReceiveCount` deliveries; an alarm on the DLQ depth tells the operator.
 */
export class WorkQueue extends Construct {
  public readonly definition: QueueDefinition;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { definition } = props;
    if (!Number.isInteger(definition.maxReceiveCount) || definition.maxReceiveCount < 1) {
      throw new Error(`${definition.id}: maxReceiveCount must be a positive integer`);
    }
    if (definition.visibilityTimeoutSeconds < 0 || definition.visibilityTimeoutSeconds > 43_200) {
      throw new Error(`${definition.id}: visibilityTimeoutSeconds must be between 0 and 43200`);
    }
    this.definition = definition;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetentionPeriod ?? Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      removalPolicy: RemovalPolicy.RETAIN,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
  }
}
