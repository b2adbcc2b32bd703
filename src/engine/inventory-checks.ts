/**
 * The structs given to `EndpointInventory` from code (`addWorkload`, `addService`, `addCidrGroup`, `addNamespace`),
 * checked before they are kept: from plain JavaScript a misspelled field (`podLabel`) or a value of the wrong shape (one
 * CIDR as a string, read character by character) gave pods without labels or groups without addresses, and every
 * verdict, diff and report about them was judged for another cluster than the one described. Refused with the call, the
 * field, the value and the fix (`option-unknown`, `option-value`). The manifest reader's objects pass the same checks.
 */
import { OptionDefaults, checkOptionKeys, refuseOptionValue } from '../model/known-keys';
import { isPlainObject } from '../model/plain-value';
import { isPortNumber } from '../model/manifests';

/** The fields of `InventoryWorkload` with their defaults (kept equal to the interface by test/engine/option-keys-interfaces.test.ts). */
export const INVENTORY_WORKLOAD_FIELDS: OptionDefaults = {
  kind: 'none: it is required', name: 'none: it is required', namespace: 'none: it is required', podLabels: 'none: it is required',
  ports: 'none: it is required', serviceAccount: 'none', hostNetwork: 'false', hostPorts: 'none',
};

/** The fields of `InventoryHostPort`. */
export const INVENTORY_HOST_PORT_FIELDS: OptionDefaults = { port: 'none: it is required', protocol: 'none: it is required', containerPort: 'not known' };

/** The fields of `NamedPort`. */
export const NAMED_PORT_FIELDS: OptionDefaults = { name: 'none: it is required', port: 'none: it is required', protocol: "'TCP'" };

/** The fields of `InventoryService`. */
export const INVENTORY_SERVICE_FIELDS: OptionDefaults = {
  name: 'none: it is required', namespace: 'none: it is required', labels: 'none: it is required',
  selector: 'a selector-less Service (backends from endpointCidrs)', endpointCidrs: 'none', ports: 'none: it is required',
  virtualAddresses: 'none known', type: 'ClusterIP', allocateLoadBalancerNodePorts: 'true', headless: 'false',
};

/** The fields of `InventoryServicePort`. */
export const INVENTORY_SERVICE_PORT_FIELDS: OptionDefaults = {
  port: 'none: it is required', targetPort: 'none: it is required', protocol: 'none: it is required', name: 'unnamed',
  nodePort: 'none given: on a NodePort or LoadBalancer Service, one the API server assigns from the node-port range',
};

/** The fields of `CidrGroupSpec`. */
export const CIDR_GROUP_FIELDS: OptionDefaults = { cidrs: 'none: it is required', labels: 'none' };

/** What a field of the inventory left at its default does (`option-unknown`). */
const RISK = 'so the cluster would be judged as another than described (pods without their labels, groups without their addresses)';

/** Checks of one struct: the call, where the struct is in its argument, and the refusal of a field. */
class StructCheck {
  public constructor(private readonly call: string, private readonly at: string) {}

  public keys(value: unknown, fields: OptionDefaults): void {
    if (!isPlainObject(value)) this.refuse('', value, 'a mapping of fields', 'pass an object');
    checkOptionKeys(value, fields, { call: this.call, at: this.at === '' ? undefined : `${this.call} ${this.at}`, noun: 'field', risk: RISK });
  }

  public text(field: string, value: unknown, optional = false): void {
    if (optional && value === undefined) return;
    if (typeof value !== 'string') this.refuse(field, value, 'text', `give ${field} as a string`);
  }

  public labels(field: string, value: unknown, optional = false): void {
    if (optional && value === undefined) return;
    if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
      this.refuse(field, value, 'a mapping of label keys to string values', `e.g. ${field}: { app: 'web' }`);
    }
  }

  public list(field: string, value: unknown, optional = false): readonly unknown[] {
    if (optional && value === undefined) return [];
    if (!Array.isArray(value)) this.refuse(field, value, 'a list', `give ${field} as a list${typeof value === 'string' ? ` (a string would be read character by character): [${JSON.stringify(value)}]` : ''}`);
    return value as unknown[];
  }

  public port(field: string, value: unknown): void {
    if (!isPortNumber(value)) {
      this.refuse(field, value, 'a port number (1-65535)', `give ${field} as a number, e.g. 8080`);
    }
  }

  public refuse(field: string, value: unknown, expected: string, fix: string): never {
    const where = [this.at, field].filter((s) => s !== '').join('.');
    return refuseOptionValue(this.call, where === '' ? 'the argument' : where, value, expected, fix);
  }
}

/** Refuses a workload that is not an `InventoryWorkload`. */
export function checkWorkload(workload: unknown): void {
  const c = new StructCheck('EndpointInventory.addWorkload()', '');
  c.keys(workload, INVENTORY_WORKLOAD_FIELDS);
  const w = workload as Record<string, unknown>;
  for (const f of ['kind', 'name', 'namespace']) c.text(f, w[f]);
  c.labels('podLabels', w.podLabels);
  c.list('ports', w.ports).forEach((p, i) => {
    const pc = new StructCheck('EndpointInventory.addWorkload()', `ports[${i}]`);
    pc.keys(p, NAMED_PORT_FIELDS);
    const port = p as Record<string, unknown>;
    pc.text('name', port.name);
    pc.port('port', port.port);
    pc.text('protocol', port.protocol, true);
  });
  c.text('serviceAccount', w.serviceAccount, true);
  if (w.hostNetwork !== undefined && typeof w.hostNetwork !== 'boolean') c.refuse('hostNetwork', w.hostNetwork, 'true or false', 'give hostNetwork: true or leave it out');
  c.list('hostPorts', w.hostPorts, true).forEach((p, i) => {
    const pc = new StructCheck('EndpointInventory.addWorkload()', `hostPorts[${i}]`);
    pc.keys(p, INVENTORY_HOST_PORT_FIELDS);
    const port = p as Record<string, unknown>;
    pc.port('port', port.port);
    pc.text('protocol', port.protocol);
    if (port.containerPort !== undefined) pc.port('containerPort', port.containerPort);
  });
}

/** Refuses a Service that is not an `InventoryService`. */
export function checkService(service: unknown): void {
  const c = new StructCheck('EndpointInventory.addService()', '');
  c.keys(service, INVENTORY_SERVICE_FIELDS);
  const s = service as Record<string, unknown>;
  c.text('name', s.name);
  c.text('namespace', s.namespace);
  c.labels('labels', s.labels);
  c.labels('selector', s.selector, true);
  c.list('endpointCidrs', s.endpointCidrs, true).forEach((cidr, i) => c.text(`endpointCidrs[${i}]`, cidr));
  c.list('virtualAddresses', s.virtualAddresses, true).forEach((a, i) => c.text(`virtualAddresses[${i}]`, a));
  c.text('type', s.type, true);
  c.list('ports', s.ports).forEach((p, i) => {
    const pc = new StructCheck('EndpointInventory.addService()', `ports[${i}]`);
    pc.keys(p, INVENTORY_SERVICE_PORT_FIELDS);
    const port = p as Record<string, unknown>;
    pc.port('port', port.port);
    if (typeof port.targetPort !== 'string') pc.port('targetPort', port.targetPort);
    pc.text('protocol', port.protocol);
    pc.text('name', port.name, true);
    if (port.nodePort !== undefined) pc.port('nodePort', port.nodePort);
  });
  if (s.allocateLoadBalancerNodePorts !== undefined && typeof s.allocateLoadBalancerNodePorts !== 'boolean') {
    c.refuse('allocateLoadBalancerNodePorts', s.allocateLoadBalancerNodePorts, 'true or false', 'give allocateLoadBalancerNodePorts: false or leave it out');
  }
  if (s.headless !== undefined && typeof s.headless !== 'boolean') c.refuse('headless', s.headless, 'true or false', 'give headless: true or leave it out');
}

/** Refuses a CIDR group that is not a `CidrGroupSpec`. */
export function checkCidrGroup(name: unknown, group: unknown): void {
  const c = new StructCheck('EndpointInventory.addCidrGroup()', '');
  c.text('name', name);
  c.keys(group, CIDR_GROUP_FIELDS);
  const g = group as Record<string, unknown>;
  c.list('cidrs', g.cidrs).forEach((cidr, i) => c.text(`cidrs[${i}]`, cidr));
  c.labels('labels', g.labels, true);
}

/** Refuses a namespace whose name is not text or whose labels are not a mapping of strings. */
export function checkNamespace(name: unknown, labels: unknown): void {
  const c = new StructCheck('EndpointInventory.addNamespace()', '');
  c.text('name', name);
  c.labels('labels', labels);
}
