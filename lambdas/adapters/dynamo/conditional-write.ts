import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** True when DynamoDB refused a write because its condition did not hold: an answer, not a fault. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/**
 * Awaits a conditional write and gives its output, or undefined when the condition did not hold. Every other
 * error is thrown as it is: a throttle or a network fault must never read as "someone else got there first".
 */
export async function whenConditionHolds<Output>(write: Promise<Output>): Promise<Output | undefined> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Sends a conditional Put, Update or Delete: true when it was written, false when its condition did not hold. */
export async function conditionalWrite(
  client: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> {
  return (await whenConditionHolds(send(client, command))) !== undefined;
}

/** `send` is overloaded per command type and a union matches none of them, so each kind is sent as what it is. */
function send(client: DynamoDBDocumentClient, command: PutCommand | UpdateCommand | DeleteCommand): Promise<object> {
  if (command instanceof PutCommand) return client.send(command);
  if (command instanceof UpdateCommand) return client.send(command);
  return client.send(command);
}
