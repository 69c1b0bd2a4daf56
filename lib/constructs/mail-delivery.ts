import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ConfigurationSet,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface MailDeliveryProps {
  /** The publication's sender address; its domain becomes the SES identity. */
  readonly senderAddress: string;
  /**
   * Events forwarded to the feedback topic.
   * @default bounce, complaint and delivery
   */
  readonly feedbackEvents?: readonly EmailSendingEvent[];
}

/**
 * SES for the digest: the sender domain as an identity with Easy DKIM (the CNAME records are stack outputs), a
 * configuration set that suppresses bounced and complaining addresses, and an event destination that forwards
 * bounces, complaints and deliveries to an SNS topic for the feedback handler.
 */
export class MailDelivery extends Construct {
  public readonly senderAddress: string;
  public readonly domain: string;
  public readonly configurationSet: ConfigurationSet;
  public readonly identity: EmailIdentity;
  public readonly feedbackTopic: Topic;
  /** ARN of the configuration set, for IAM statements (the L2 does not expose one). */
  public readonly configurationSetArn: string;

  constructor(scope: Construct, id: string, props: MailDeliveryProps) {
    super(scope, id);
    const domain = props.senderAddress.split('@')[1];
    if (domain === undefined || domain.length === 0 || props.senderAddress.split('@').length !== 2) {
      throw new Error(`senderAddress must be an email address, got "${props.senderAddress}"`);
    }
    this.senderAddress = props.senderAddress;
    this.domain = domain;

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });

    // Not SSE: SES would need a customer-managed key policy to publish. Messages carry recipient addresses and
    // delivery status; publishing is TLS-only.
    this.feedbackTopic = new Topic(this, 'FeedbackTopic', {
      displayName: 'Dispatch SES feedback',
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.snsTopic(this.feedbackTopic),
      // Only what the feedback handler acts on: a DELIVERY event per mail would cost an SNS publish and a Lambda
      // run per recipient (≈ 1.4 % on top of SES's own price) for events `feedbackAction` ignores.
      events: [...(props.feedbackEvents ?? [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT])],
    });

    this.identity = new EmailIdentity(this, 'SenderIdentity', {
      identity: Identity.domain(domain),
      configurationSet: this.configurationSet,
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
    });
    this.identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        description: `Easy DKIM CNAME ${index + 1} for ${domain}`,
        value: `${record.name} CNAME ${record.value}`,
      });
    });
  }

  /**
   * `ses:SendEmail` through this identity and configuration set only, and only from the sender address.
   */
  sendEmailStatement(): PolicyStatement {
    return new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['ses:SendEmail'],
      resources: [this.identity.emailIdentityArn, this.configurationSetArn],
      conditions: { StringEquals: { 'ses:FromAddress': this.senderAddress } },
    });
  }
}
