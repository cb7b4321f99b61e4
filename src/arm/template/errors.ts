// Template errors: what ARM answers synchronously (validate and PUT) when a template or its
// parameters are wrong. Code InvalidTemplate, message "Deployment template validation failed:
// '<inner>'." plus additionalInfo TemplateViolation {lineNumber, linePosition, path}.
// Inner texts are Azure's verbatim where a public source shows them (named per entry).
import { ArmError, defineError } from "../errors.js";

const g = "Template deployments";

/** Where in the template a problem is: a JSON path and, when the caller can map it to the source text, line and column. */
export interface TemplateLocation {
  path: string;
  line: number;
  column: number;
}

export class TemplateError extends ArmError {
  constructor(
    message: string,
    readonly location: TemplateLocation,
  ) {
    super(400, "InvalidTemplate", message);
  }

  override toBody() {
    const body = super.toBody();
    return {
      error: {
        ...body.error,
        additionalInfo: [{ type: "TemplateViolation", info: { lineNumber: this.location.line, linePosition: this.location.column, path: this.location.path } }],
      },
    };
  }
}

const spec = defineError<{ inner: string }>({
  group: g,
  code: "InvalidTemplate",
  status: 400,
  template: "Deployment template validation failed: '{inner}'.",
  source: "microsoft/fabric-toolbox#398; azure-quickstart-templates PR #760; Azure/azure-cli#6677",
});

export function templateError(inner: string, location: TemplateLocation): TemplateError {
  return new TemplateError(spec.make({ inner }).message, location);
}

const at = (l: TemplateLocation) => `at line '${l.line}' and column '${l.column}'`;

/** Inner texts. Each names its public source; "inferred" ones follow the shape of a verified sibling. */
export const inner = {
  // microsoft/fabric-toolbox#398
  missingParameter: (name: string, l: TemplateLocation) =>
    `The value for the template parameter '${name}' ${at(l)} is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.`,
  // azure-quickstart-templates PR #760
  notAllowed: (name: string, l: TemplateLocation) =>
    `The provided value for the template parameter '${name}' ${at(l)} is not valid. The parameter value is not part of the allowed value(s).`,
  // azure-quickstart-templates PR #1172 (maxLength 8 → "less than '9'")
  tooLong: (name: string, l: TemplateLocation, max: number) =>
    `The provided value for the template parameter '${name}' ${at(l)} is not valid. Length of the value should be less than '${max + 1}'. Please see http://aka.ms/arm-template/#parameters for usage details.`,
  // inferred from tooLong
  tooShort: (name: string, l: TemplateLocation, min: number) =>
    `The provided value for the template parameter '${name}' ${at(l)} is not valid. Length of the value should be greater than '${min - 1}'. Please see http://aka.ms/arm-template/#parameters for usage details.`,
  // inferred from tooLong
  tooBig: (name: string, l: TemplateLocation, max: number) =>
    `The provided value for the template parameter '${name}' ${at(l)} is not valid. The value should be less than '${max + 1}'. Please see http://aka.ms/arm-template/#parameters for usage details.`,
  // inferred from tooLong
  tooSmall: (name: string, l: TemplateLocation, min: number) =>
    `The provided value for the template parameter '${name}' ${at(l)} is not valid. The value should be greater than '${min - 1}'. Please see http://aka.ms/arm-template/#parameters for usage details.`,
  // MCW-Cloud-native-applications#181; Azure/azure-quickstart-templates#5234
  unknownParameters: (names: string[], allowed: string[]) =>
    `The template parameters '${names.join(", ")}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${allowed.join(", ")}'. Please see https://aka.ms/arm-deploy/#parameter-file for usage details.`,
  // community posts quoting az/PowerShell output (Expected 'String, Uri' / 'Integer' / 'Boolean'; Actual 'Object' / 'String')
  parameterType: (expected: string, actual: string) =>
    `Template parameter JToken type is not valid. Expected '${expected}'. Actual '${actual}'. Please see https://aka.ms/resource-manager-parameter-files for usage details.`,
  // akshata29/entaoai#15, polymind-inc/acmebot#1089 (2023–2026 wording)
  circular: (id: string) => `Circular dependency detected on resource: '${id}'. Please see https://aka.ms/arm-syntax-resources for usage details.`,
  // microsoft/vscode-azurearmtools#493
  notDefined: (x: string) => `The resource '${x}' is not defined in the template. Please see https://aka.ms/arm-template for usage details.`,
  // TaoYang-Cloud/azure.policy.monitor#5
  badReference: (n: string) =>
    `The template reference '${n}' is not valid: could not find template resource or resource copy with this name. Please see https://aka.ms/arm-template-expressions/#reference for usage details.`,
  // microsoft/vscode-azurearmtools#531: "The template function 'environment' is not valid."
  unknownFunction: (f: string) => `The template function '${f}' is not valid. Please see https://aka.ms/arm-template-expressions for usage details.`,
  // microsoft/vscode-azurearmtools#531 (wrapper around an expression error)
  inTemplateItem: (kind: "resource" | "variable" | "output" | "parameter", name: string, l: TemplateLocation, message: string) =>
    `The template ${kind} '${name}' ${at(l)} is not valid: ${message}. Please see https://aka.ms/arm-template-expressions for usage details.`,
  // Azure/azure-functions-host templates, Stack Overflow (2024 wording uses arm-syntax-resources)
  segmentLengths: (name: string, type: string, l: TemplateLocation) =>
    `The template resource '${name}' for type '${type}' ${at(l)} has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. Please see https://aka.ms/arm-syntax-resources for usage details.`,
  // azure-quickstart-templates PR #6459
  copyCount: (l: TemplateLocation) =>
    `The template 'copy' definition ${at(l)} has an invalid copy count. The copy count must be a positive integer value and cannot exceed '800'. Please see https://aka.ms/arm-copy for usage details.`,
  // azure-api-management-devops-resource-kit#360
  tooManyResources: (actual: number) => `The number of template resources limit exceeded. Limit: '800' and actual: '${actual}'`,
  // Azure/acs-engine#1159
  expressionTooLong: (actual: number) =>
    `The language expression length limit exceeded. Limit: '24576' and actual: '${actual}'.. Please see https://aka.ms/arm-template-expressions for usage details.`,
};

/** An error raised while evaluating an expression; the engine wraps it with the item it belongs to. */
export class ExpressionError extends Error {}

/** Function argument problems, in ARM's wording ("The template language function 'x' ..."). */
export const fnErrors = {
  // Logic Apps/ARM share this text (OfficeDev/microsoft-teams-apps-requestateam#42)
  badParameter: (f: string, why: string) => new ExpressionError(`The template language function '${f}' was invoked with a parameter that is not valid. ${why}`),
  // emulator wording in ARM's shape
  argCount: (f: string, expected: string, actual: number) =>
    new ExpressionError(`The template language function '${f}' must have ${expected} parameter(s), but ${actual} were provided`),
};

/** A deployment whose resource operations failed (Azure/bicep#19447; MicrosoftDocs/azure-docs#107757). */
export const deploymentFailed = defineError<Record<string, never>>({
  group: g,
  code: "DeploymentFailed",
  status: 200,
  template: "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
  source: "Azure/bicep#19447; MicrosoftDocs/azure-docs#107757",
});

/** An async resource operation that ended Failed (OfficeDev/microsoft-teams-apps-company-communicator#1278, 2023–24 wording). */
export const resourceDeploymentFailure = defineError<{ state: string }>({
  group: g,
  code: "ResourceDeploymentFailure",
  status: 200,
  template: "The resource write operation failed to complete successfully, because it reached terminal provisioning state '{state}'.",
  source: "OfficeDev/microsoft-teams-apps-company-communicator#1278",
});
