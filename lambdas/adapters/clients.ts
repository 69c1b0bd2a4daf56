import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { traced } from './observability';

/**
 * SDK clients, created once per execution environment and traced (one X-Ray subsegment per call on AWS; see
 * `observability.ts`). Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, so the same
 * code talks to AWS or to the local emulators. The local S3 emulator only understands path-style addressing,
 * hence the one extra switch.
 *
 * The SESv2 client (`mailer.ts`) is deliberately not traced this way: the X-Ray SDK copies an SDK error's
 * message into the trace, and SES messages can quote the recipient's address (a sandbox `MessageRejected`
 * lists the unverified identities). The tracer's HTTPS capture still times each SES call, without the body.
 */
let dynamo: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let s3Presigner: S3Client | undefined;

/** The plain client, for libraries that marshal items themselves (Powertools idempotency). */
export function dynamoClient(): DynamoDBClient {
  dynamo ??= traced(new DynamoDBClient({}));
  return dynamo;
}

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  // The base client is traced: the document client sends its commands through it.
  documentClient ??= DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

const s3Options = (): S3ClientConfig => ({
  forcePathStyle: process.env.DISPATCH_S3_FORCE_PATH_STYLE === 'true',
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

export function s3Client(): S3Client {
  s3 ??= traced(new S3Client(s3Options()));
  return s3;
}

/**
 * The S3 client that presigns upload URLs, untraced on purpose: presigning sends nothing (there is no call to
 * trace), and a tracing middleware in the stack would run inside the presigner's and could add its trace header
 * to the request being signed, which the uploader's request would then not match.
 */
export function s3PresigningClient(): S3Client {
  s3Presigner ??= new S3Client(s3Options());
  return s3Presigner;
}
