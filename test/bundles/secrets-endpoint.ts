import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { readBody } from '../../local/http-messages';
import { serveHttp, type RunningServer } from '../../local/listen';

/**
 * The one Secrets Manager call Dispatch makes (`GetSecretValue`, AWS JSON 1.1), for the secrets given. The local
 * stack hands its functions the key itself (`TOKEN_SECRET`); a synthesized function only gets `TOKEN_SECRET_ARN`
 * and reads the key at cold start, so the verifier answers that read the way Secrets Manager would.
 */
export class SecretsEndpoint {
  private server: RunningServer | undefined;
  private readonly versionId = randomUUID();
  private readonly created = Date.now() / 1000;

  constructor(private readonly secrets: ReadonlyMap<string, string>) {}

  async listen(): Promise<string> {
    this.server = await serveHttp((req, res) => {
      const target = String(req.headers['x-amz-target'] ?? '');
      readBody(req)
        .then((raw) => this.answer(target, JSON.parse(raw.toString('utf8') || '{}') as { SecretId?: unknown }, res))
        .catch((error: unknown) => reply(res, 400, { __type: 'InvalidRequestException', message: String(error) }));
    }, 0);
    return `http://127.0.0.1:${this.server.port}`;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private answer(target: string, request: { SecretId?: unknown }, res: ServerResponse): void {
    if (target !== 'secretsmanager.GetSecretValue') {
      reply(res, 400, { __type: 'InvalidRequestException', message: `${target} is not served locally` });
      return;
    }
    const arn = String(request.SecretId);
    const value = this.secrets.get(arn);
    if (value === undefined) {
      reply(res, 400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find ${arn}` });
      return;
    }
    reply(res, 200, {
      ARN: arn,
      Name: arn.split(':').at(-1),
      SecretString: value,
      VersionId: this.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: this.created,
    });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}
