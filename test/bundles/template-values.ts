import type { CloudAssembly, StackTemplate, TemplateResource, TemplateValue } from './cloud-assembly';

/** A resource a template value points at, with its construct path inside its stack (`ReportsTable/Resource`). */
export interface ReferencedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly resource: TemplateResource;
  readonly path: string;
}

/** What stands in locally for a referenced resource: `Ref` and `Fn::GetAtt` answers, undefined where none exists. */
export interface LocalEquivalents {
  ref(target: ReferencedResource): string | undefined;
  getAtt(target: ReferencedResource, attribute: string): string | undefined;
  /** `AWS::Region`, `AWS::Partition`… */
  pseudoParameter(name: string): string | undefined;
}

/** A template value this verifier will not guess at; the message names the variable and the intrinsic. */
export class UnresolvableValueError extends Error {
  override readonly name = 'UnresolvableValueError';
}

type Intrinsic = { readonly [key: string]: TemplateValue };

const isIntrinsic = (value: TemplateValue): value is Intrinsic =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1;

/**
 * Resolves template values (literals, `Ref`, `Fn::GetAtt`, `Fn::ImportValue`, `Fn::Join`, `Fn::Sub`,
 * `Fn::Select`) to the local equivalents of what they reference. Anything else, or a reference without a local
 * equivalent, throws: the verifier never makes a value up.
 */
export class TemplateResolver {
  constructor(
    private readonly assembly: CloudAssembly,
    private readonly equivalents: LocalEquivalents,
  ) {}

  /** `where` names the value in errors, e.g. `reports-api: TABLE_REPORTS`. */
  resolve(value: TemplateValue, stackName: string, where: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isIntrinsic(value)) throw new UnresolvableValueError(`${where}: ${JSON.stringify(value)} is not a value`);
    const [[fn, argument]] = Object.entries(value) as [[string, TemplateValue]];
    switch (fn) {
      case 'Ref':
        return this.ref(String(argument), stackName, where);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        if (logicalId === undefined || attribute === undefined) {
          throw new UnresolvableValueError(`${where}: malformed Fn::GetAtt ${JSON.stringify(argument)}`);
        }
        return this.getAtt(logicalId, attribute, stackName, where);
      }
      case 'Fn::ImportValue':
        return this.importValue(this.resolve(argument, stackName, where), where);
      case 'Fn::Join': {
        const [separator, parts] = Array.isArray(argument) ? argument : [];
        if (typeof separator !== 'string' || !Array.isArray(parts)) {
          throw new UnresolvableValueError(`${where}: malformed Fn::Join ${JSON.stringify(argument)}`);
        }
        return parts.map((part) => this.resolve(part, stackName, where)).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = Array.isArray(argument) ? argument : [];
        const item = Array.isArray(list) ? list[Number(index)] : undefined;
        if (item === undefined) throw new UnresolvableValueError(`${where}: Fn::Select ${JSON.stringify(argument)}`);
        return this.resolve(item, stackName, where);
      }
      case 'Fn::Sub':
        return this.sub(argument, stackName, where);
      default:
        throw new UnresolvableValueError(`${where}: ${fn} is not resolved locally (${JSON.stringify(argument)})`);
    }
  }

  /** The resource a `Ref`/`Fn::GetAtt` logical id names in `stackName`. */
  referenced(stackName: string, logicalId: string, where: string): ReferencedResource {
    const stack = this.stack(stackName);
    const resource = stack.resources[logicalId];
    if (resource === undefined) throw new UnresolvableValueError(`${where}: ${stackName} has no resource ${logicalId}`);
    const cdkPath = resource.Metadata?.['aws:cdk:path'];
    const path = typeof cdkPath === 'string' ? cdkPath.replace(`${stackName}/`, '') : logicalId;
    return { stackName, logicalId, resource, path };
  }

  private stack(stackName: string): StackTemplate {
    const stack = this.assembly.stacks.find((candidate) => candidate.stackName === stackName);
    if (stack === undefined) throw new UnresolvableValueError(`No stack ${stackName} in the cloud assembly`);
    return stack;
  }

  private ref(name: string, stackName: string, where: string): string {
    if (name.startsWith('AWS::')) {
      const pseudo = this.equivalents.pseudoParameter(name);
      if (pseudo === undefined) throw new UnresolvableValueError(`${where}: no local value for ${name}`);
      return pseudo;
    }
    const target = this.referenced(stackName, name, where);
    const local = this.equivalents.ref(target);
    if (local === undefined) {
      throw new UnresolvableValueError(`${where}: no local equivalent for Ref ${target.resource.Type} ${target.path}`);
    }
    return local;
  }

  private getAtt(logicalId: string, attribute: string, stackName: string, where: string): string {
    const target = this.referenced(stackName, logicalId, where);
    const local = this.equivalents.getAtt(target, attribute);
    if (local === undefined) {
      throw new UnresolvableValueError(
        `${where}: no local equivalent for Fn::GetAtt ${target.resource.Type} ${target.path}.${attribute}`,
      );
    }
    return local;
  }

  /** A cross-stack reference: the exporting stack's output of that name, resolved in the exporting stack. */
  private importValue(exportName: string, where: string): string {
    for (const stack of this.assembly.stacks) {
      for (const output of Object.values(stack.outputs)) {
        if (output.Export === undefined) continue;
        if (this.resolve(output.Export.Name, stack.stackName, where) === exportName) {
          return this.resolve(output.Value, stack.stackName, `${where} (export ${exportName})`);
        }
      }
    }
    throw new UnresolvableValueError(`${where}: no stack exports ${exportName}`);
  }

  private sub(argument: TemplateValue, stackName: string, where: string): string {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
    if (typeof text !== 'string' || typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
      throw new UnresolvableValueError(`${where}: malformed Fn::Sub ${JSON.stringify(argument)}`);
    }
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
      const given = variables[name];
      if (given !== undefined) return this.resolve(given, stackName, where);
      const [logicalId, attribute] = name.split('.');
      if (logicalId === undefined) throw new UnresolvableValueError(`${where}: empty Fn::Sub variable`);
      return attribute === undefined
        ? this.ref(logicalId, stackName, where)
        : this.getAtt(logicalId, attribute, stackName, where);
    });
  }
}
