import { ReportDiagnostic, validateInputs, ValidateInputsOptions, ValidationReport } from '../../src/validate';

/**
 * YAML from a template literal: the first line break and the common indentation are removed, so that a test can write
 * a manifest indented with the code and still count its lines from 1.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ''), '').replace(/^\n/, '');
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n').replace(/\s+$/, '\n');
}

/** Validates named texts together (names are what diagnostics show). */
export function check(files: Record<string, string>, options: ValidateInputsOptions = {}): ValidationReport {
  return validateInputs(Object.entries(files).map(([name, text]) => ({ name, text })), { cwd: __dirname, ...options });
}

/** `file:line:column` of every finding with `id`. */
export function where(report: ValidationReport, id: string): string[] {
  return report.diagnostics.filter((d) => d.id === id).map((d) => `${d.file}:${d.line}:${d.column}`);
}

/** The findings with `id`. */
export function findings(report: ValidationReport, id: string): ReportDiagnostic[] {
  return report.diagnostics.filter((d) => d.id === id);
}

/** `id@file:line:column` of every finding, for readable failures. */
export function summary(report: ValidationReport): string[] {
  return report.diagnostics.map((d) => `${d.severity} ${d.id}@${d.file}:${d.line}:${d.column} ${d.path ?? ''}`);
}

/** The error findings' ids. */
export function errorIds(report: ValidationReport): string[] {
  return [...new Set(report.diagnostics.filter((d) => d.severity === 'error').map((d) => d.id))].sort();
}

/** A clean CiliumNetworkPolicy (`shop/web`, ingress from the cluster): the input that gives no finding. */
export const CLEAN_CNP = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    ingress:
      - fromEntities: [cluster]
`;

/**
 * `shop/web` with a `toFQDNs` rule and no DNS rule (a pitfall warning) on the octal-looking port "0443" (an error): one
 * finding of each severity.
 */
export const FQDN_OCTAL_PORT_CNP = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    egress:
      - toFQDNs:
          - matchName: api.github.com
        toPorts:
          - ports:
              - port: "0443"
                protocol: TCP
`;
