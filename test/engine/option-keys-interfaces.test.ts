// The known-key tables of `checkOptionKeys` (src/model/known-keys.ts, `option-unknown`) against the TypeScript interfaces
// they stand for, read from the declarations of src/ as src/index.ts exports them (test/support/public-interfaces.ts; inherited
// properties included): an option added to an
// interface and not to its table would be refused when given, one left in a table after it left the interface would be
// accepted and dropped. Every public Options/Props interface of the engine, the diff, the Hubble tools and the testing
// layer is in the table, or in NOT_CHECKED with the reason; so are the queries and entries the calls read (VerdictQuery,
// ExpectedConnectivityChange).
//
// The options of the validate layer and the properties of the cdk8s plugin (CiliumValidationProps, from cdk8s.yaml,
// where a misspelled maxWarnings let every warning pass) are checked too. Left out on purpose: the model layer's
// ParseOptions (not checked yet). `ExpectedChange` (the entry of `toChangeOnly`, exported from
// cdk8s-cilium/vitest and cdk8s-cilium/jest, not from src/index.ts) is checked with the table of
// ExpectedConnectivityChange, whose names it has (the test below compares them). The structs `EndpointInventory` takes
// (`InventoryWorkload` and its `NamedPort`s, `InventoryService` and its ports, `CidrGroupSpec`) are checked by the
// inventory (src/engine/inventory-checks.ts). Not checked: the requests of a query (`HttpRequest`, `KafkaRequest`, usually
// parsed from text by `Queries`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CONNECTIVITY_OPTION_DEFAULTS, DIFF_OPTION_DEFAULTS, REPORT_OPTION_DEFAULTS } from '../../src/diff/connectivity';
import { EXPECTED_CHANGE_FIELDS } from '../../src/diff/expected-changes';
import { ENDPOINT_FIELD_DEFAULTS, POD_ENDPOINT_OPTION_DEFAULTS } from '../../src/engine/endpoint';
import {
  CIDR_GROUP_FIELDS, INVENTORY_SERVICE_FIELDS, INVENTORY_SERVICE_PORT_FIELDS, INVENTORY_WORKLOAD_FIELDS, NAMED_PORT_FIELDS,
} from '../../src/engine/inventory-checks';
import { ENGINE_MATCHER_OPTION_DEFAULTS } from '../../src/engine/matchers';
import { POLICY_SET_OPTION_DEFAULTS, YAML_POLICY_SET_OPTION_DEFAULTS } from '../../src/engine/agent-settings-table';
import { CONNECTIVITY_SOURCES_DEFAULTS } from '../../src/engine/policy-set-options';
import { queryFieldListed } from '../../src/engine/l4-query';
import { HTTP_REQUEST_OPTION_DEFAULTS } from '../../src/engine/query';
import { VERDICT_QUERY_FIELDS } from '../../src/engine/verdict';
import { COLLECT_OPTION_DEFAULTS } from '../../src/hubble/connections';
import { DRAFT_OPTION_DEFAULTS, DRAFT_TYPESCRIPT_OPTION_DEFAULTS } from '../../src/hubble/draft';
import { FLOW_READ_OPTION_DEFAULTS } from '../../src/hubble/flow-reader';
import { REPLAY_TABLE_OPTION_DEFAULTS } from '../../src/hubble/format';
import { REPLAY_OPTION_DEFAULTS } from '../../src/hubble/replay';
import { OptionDefaults } from '../../src/model/known-keys';
import { CILIUM_VALIDATION_PROPS_DEFAULTS } from '../../src/plugin/cilium-validation';
import { CRD_SCHEMAS_OPTION_DEFAULTS } from '../../src/validate/crd-schema';
import { SARIF_OPTION_DEFAULTS } from '../../src/validate/format-sarif';
import { PITFALL_OPTION_DEFAULTS } from '../../src/validate/pitfall-run';
import { APP_VALIDATION_OPTION_DEFAULTS } from '../../src/validate/validate-app';
import { VALIDATE_POLICY_OPTION_DEFAULTS, VALIDATE_RULE_OPTION_DEFAULTS } from '../../src/validate/validate-policy';
import { VALIDATE_INPUTS_OPTION_DEFAULTS, VALIDATE_PATHS_OPTION_DEFAULTS } from '../../src/validate/validation-options';
import { publicInterfaces } from '../support/public-interfaces';
import { PROJECT_ROOT } from '../support/scratch';

/** Each checked interface (exported from src/index.ts) and its table of options with their defaults. */
const TABLE: [string, OptionDefaults][] = [
  ['PolicySetOptions', POLICY_SET_OPTION_DEFAULTS],
  ['YamlPolicySetOptions', YAML_POLICY_SET_OPTION_DEFAULTS],
  ['ConnectivitySources', CONNECTIVITY_SOURCES_DEFAULTS],
  ['VerdictQuery', VERDICT_QUERY_FIELDS],
  ['Endpoint', ENDPOINT_FIELD_DEFAULTS],
  ['PodEndpointOptions', POD_ENDPOINT_OPTION_DEFAULTS],
  ['HttpRequestOptions', HTTP_REQUEST_OPTION_DEFAULTS],
  ['EngineMatcherOptions', ENGINE_MATCHER_OPTION_DEFAULTS],
  ['ConnectivityOptions', CONNECTIVITY_OPTION_DEFAULTS],
  ['ReportOptions', REPORT_OPTION_DEFAULTS],
  ['DiffOptions', DIFF_OPTION_DEFAULTS],
  ['ExpectedConnectivityChange', EXPECTED_CHANGE_FIELDS],
  ['FlowReadOptions', FLOW_READ_OPTION_DEFAULTS],
  ['CollectOptions', COLLECT_OPTION_DEFAULTS],
  ['ReplayOptions', REPLAY_OPTION_DEFAULTS],
  ['ReplayTableOptions', REPLAY_TABLE_OPTION_DEFAULTS],
  ['DraftOptions', DRAFT_OPTION_DEFAULTS],
  ['DraftTypeScriptOptions', DRAFT_TYPESCRIPT_OPTION_DEFAULTS],
  ['ValidateInputsOptions', VALIDATE_INPUTS_OPTION_DEFAULTS],
  ['ValidatePathsOptions', VALIDATE_PATHS_OPTION_DEFAULTS],
  ['ValidatePolicyOptions', VALIDATE_POLICY_OPTION_DEFAULTS],
  ['ValidateRuleOptions', VALIDATE_RULE_OPTION_DEFAULTS],
  ['AppValidationOptions', APP_VALIDATION_OPTION_DEFAULTS],
  ['PitfallOptions', PITFALL_OPTION_DEFAULTS],
  ['CrdSchemasOptions', CRD_SCHEMAS_OPTION_DEFAULTS],
  ['SarifOptions', SARIF_OPTION_DEFAULTS],
  ['CiliumValidationProps', CILIUM_VALIDATION_PROPS_DEFAULTS],
  ['InventoryWorkload', INVENTORY_WORKLOAD_FIELDS],
  ['NamedPort', NAMED_PORT_FIELDS],
  ['InventoryService', INVENTORY_SERVICE_FIELDS],
  ['InventoryServicePort', INVENTORY_SERVICE_PORT_FIELDS],
  ['CidrGroupSpec', CIDR_GROUP_FIELDS],
];

/**
 * The Options/Props interfaces of src/engine/, src/diff/, src/hubble/ and src/testing/ exported from src/index.ts that
 * are not in the table, each with the reason: none may be added without a decision.
 */
const NOT_CHECKED: Record<string, string> = {};

/** The layers whose options are checked with `option-unknown`. */
const LAYERS = ['engine', 'diff', 'hubble', 'testing', 'validate', 'plugin'];

describe('the known options of checkOptionKeys are the interfaces\' own', () => {
  const interfaces = publicInterfaces();

  test.each(TABLE)('%s', (name, defaults) => {
    const declared = interfaces.get(name);
    expect(declared, `${name} is not an interface exported from src/index.ts`).toBeDefined();
    expect(Object.keys(defaults).sort()).toEqual([...(declared?.props ?? [])].sort());
    // Each default is words a message can show.
    for (const [option, text] of Object.entries(defaults)) expect(text.trim(), `${name}.${option}`).not.toBe('');
  });

  test('ExpectedChange (cdk8s-cilium/vitest) has the fields of ExpectedConnectivityChange', () => {
    const declared = publicInterfaces('vitest.mts').get('ExpectedChange');
    expect(declared, 'ExpectedChange is not exported from src/vitest.mts').toBeDefined();
    expect([...(declared?.props ?? [])].sort()).toEqual(Object.keys(EXPECTED_CHANGE_FIELDS).sort());
  });

  test('the fast test of a query field (a switch, src/engine/l4-query.ts) lists exactly the fields of VERDICT_QUERY_FIELDS', () => {
    // A field the switch lacks would only be slower (the table decides); one the table lacks would be accepted unchecked.
    const source = readFileSync(join(PROJECT_ROOT, 'src', 'engine', 'l4-query.ts'), 'utf8');
    const body = /export function queryFieldListed\([\s\S]*?\n}\n/.exec(source)?.[0] ?? '';
    const cases = [...body.matchAll(/case '(\w+)':/g)].map((m) => m[1]);
    expect(cases.sort()).toEqual(Object.keys(VERDICT_QUERY_FIELDS).sort());
    for (const field of Object.keys(VERDICT_QUERY_FIELDS)) expect(queryFieldListed(field), field).toBe(true);
    expect(queryFieldListed('htpp')).toBe(false);
  });

  test('every Options/Props interface of the engine, diff, Hubble, testing, validate and plugin layers is in the table, or says why not', () => {
    const dirs = LAYERS.map((layer) => `${join(PROJECT_ROOT, 'src', layer).split('\\').join('/')}/`);
    const ofLayers = [...interfaces].filter(([name, i]) => dirs.some((d) => i.file.startsWith(d)) && /(Props|Options)$/.test(name)).map(([name]) => name);
    expect(ofLayers).toContain('PolicySetOptions');
    const covered = new Set([...TABLE.map(([name]) => name), ...Object.keys(NOT_CHECKED)]);
    expect(ofLayers.filter((name) => !covered.has(name))).toEqual([]);
    expect(Object.keys(NOT_CHECKED).filter((name) => TABLE.some(([n]) => n === name))).toEqual([]);
  });
});
