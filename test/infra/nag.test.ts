import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DispatchApp } from '../../lib/build-app';
import { cdkJsonContext, INLINE_CODE } from './dispatch-app';

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** cdk-nag with acknowledgements ignored: every finding the rules raise. */
function rawFindings(root: IConstruct): { rule: string; path: string }[] {
  const pack = new AwsSolutionsChecks();
  Reflect.set(pack, 'isAcknowledged', () => false);
  return pack.validateScope(root).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: resource.constructPath ?? '',
    })),
  );
}

describe('cdk-nag AwsSolutions', () => {
  let dispatch: DispatchApp;
  let assemblyDirectory: string;
  beforeAll(() => {
    // Synthesized like `cdk synth`: built-in CloudFormation validation and the cdk-nag plugin both run, and a
    // nag error would make synth throw here.
    dispatch = buildApp({ context: cdkJsonContext(), codeOverride: INLINE_CODE });
    assemblyDirectory = dispatch.app.synth().directory;
  });

  it('reports no unacknowledged error or warning', () => {
    const { violations } = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(dispatch.app);
    expect(
      violations.map((violation) => `${violation.ruleName} ${violation.violatingResources[0]?.constructPath}`),
    ).toEqual([]);
  });

  it('leaves nothing for the synth validation report', () => {
    const report = JSON.parse(readFileSync(join(assemblyDirectory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    const nag = report.pluginReports.filter((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(nag.length).toBeLessThanOrEqual(1);
    for (const plugin of nag) expect(plugin.violations).toEqual([]);
  });

  it.each(['stateful', 'stateless'] as const)('leaves no AwsSolutions annotation on the %s stack', (stack) => {
    const annotations = Annotations.fromStack(dispatch[stack]);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('acknowledges only findings the rules actually raise (no stale acknowledgements)', () => {
    const findings = rawFindings(dispatch.app);
    const nagAcks = acknowledgements(dispatch.app).filter((ack) => ack.id.startsWith('AwsSolutions-'));
    expect(nagAcks.length).toBeGreaterThan(0);
    const stale = nagAcks.filter(
      (ack) =>
        !findings.some(
          (finding) =>
            finding.rule === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)),
        ),
    );
    expect(stale).toEqual([]);
  });

  it('gives every acknowledgement a specific reason', () => {
    for (const ack of acknowledgements(dispatch.app)) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('never acknowledges a whole rule where findings are granular (IAM5 always names its resource)', () => {
    const broad = acknowledgements(dispatch.app).filter((ack) => /^AwsSolutions-IAM5$/.test(ack.id));
    expect(broad).toEqual([]);
  });
});
