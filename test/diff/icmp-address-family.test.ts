// The report and the diff judge only what is a packet between a pair's ends: no ICMPv6 to an IPv4 address, no ICMP (IPv4)
// to an IPv6 one (the engine refuses such a query, `engine-query`). Before, `report` stopped with that refusal on an
// ordinary policy (an ICMPv6 rule beside a CIDR rule), and so did `diff`.
import { describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connectivity } from '../../src/diff';
import { IpFamilies, PolicySet, PolicySetOptions } from '../../src/engine';
import { cliAsync } from '../support/cli';
import { changeLine } from './support';

/** A CNP on shop/app=web: ICMPv6 echo to every pod of shop, 443/TCP to 8.8.8.0/24, and `extra` egress items. */
function web(extra = ''): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{}]
    icmps: [{ fields: [{ type: 128, family: IPv6 }] }]
  - toCIDR: [8.8.8.0/24]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
${extra}`;
}

/** ICMP echo of both families to every outside address (the world classes then have an address of each family). */
const WORLD_ECHO = `  - toCIDR: ["0.0.0.0/0", "::/0"]
    icmps: [{ fields: [{ type: 8, family: IPv4 }, { type: 128, family: IPv6 }] }]
`;

/** The report's connections from shop/app=web, as `to ports`. */
function fromWeb(options: PolicySetOptions, extra = ''): string[] {
  const doc = PolicySet.fromYaml(web(extra), { ...options, file: 'web.yaml' }).report();
  return doc.connections.filter((c) => c.from === 'shop/app=web').map((c) => `${c.to} ${c.ports.join(', ')}`);
}

describe('report', () => {
  test('an ICMPv6 rule beside an IPv4 CIDR rule: reported (dual-stack pods: icmpv6/128; the CIDR: 443/TCP only), not refused', () => {
    expect(fromWeb({ ipFamilies: IpFamilies.DUAL })).toEqual(['shop/app=web icmpv6/128', 'shop/(other pods) icmpv6/128', 'world 8.8.8.0/24 443/TCP']);
  });

  // An IPv4-only cluster's pods have IPv4 addresses only, and an agent without ENABLE_IPV6 drops IPv6 packets before any
  // policy (bpf_lxc.c: no ETH_P_IPV6 case, DROP_UNKNOWN_L3): before, the report listed icmpv6/128 to the pods here.
  test('IPv4 cluster (the default): no ICMPv6 to pods, which have no IPv6 address; the IPv4 addresses icmp/8 only', () => {
    expect(fromWeb({})).toEqual(['world 8.8.8.0/24 443/TCP']);
    expect(fromWeb({}, WORLD_ECHO)).toEqual(['world (IPv4) icmp/8', 'world 8.8.8.0/24 443/TCP', 'world 8.8.8.0/24 icmp/8']);
  });

  test('IPv6-only cluster: no ICMP (IPv4) to pods; icmpv6/128 to them', () => {
    expect(fromWeb({ ipFamilies: IpFamilies.IPV6 }, WORLD_ECHO).filter((c) => c.startsWith('shop/'))).toEqual(['shop/app=web icmpv6/128', 'shop/(other pods) icmpv6/128']);
    const v4Echo = '  - toEndpoints: [{}]\n    icmps: [{ fields: [{ type: 8, family: IPv4 }] }]\n';
    expect(fromWeb({ ipFamilies: IpFamilies.IPV6 }, v4Echo).filter((c) => c.startsWith('shop/'))).toEqual(['shop/app=web icmpv6/128', 'shop/(other pods) icmpv6/128']);
    expect(fromWeb({ ipFamilies: IpFamilies.DUAL }, v4Echo).filter((c) => c.startsWith('shop/'))).toEqual(['shop/app=web icmp/8',
      'shop/app=web icmpv6/128', 'shop/(other pods) icmp/8', 'shop/(other pods) icmpv6/128']);
  });

  test('dual-stack: world (IPv4) icmp/8, world (IPv6) icmpv6/128, pods icmpv6/128 (an IPv6 echo reaches them)', () => {
    expect(fromWeb({ ipFamilies: IpFamilies.DUAL }, WORLD_ECHO)).toEqual([
      'shop/app=web icmpv6/128', 'shop/(other pods) icmpv6/128', 'world (IPv4) icmp/8', 'world (IPv6) icmpv6/128',
      'world 8.8.8.0/24 443/TCP', 'world 8.8.8.0/24 icmp/8',
    ]);
  });

  test('the CLI: rc 0, the ICMPv6 rule reported, no ICMPv6 to 8.8.8.0/24', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icmp-family-'));
    try {
      const file = join(dir, 'pol.yaml');
      writeFileSync(file, web());
      const run = await cliAsync('report', '--policies', file, '--ip-families', 'dual');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('shop/app=web → shop/app=web icmpv6/128');
      expect(run.stdout).toContain('shop/app=web → world 8.8.8.0/24 443/TCP\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('diff', () => {
  const diff = (options: PolicySetOptions, reference: boolean): string[] => {
    const base = PolicySet.fromYaml(web(), { ...options, file: 'base.yaml' });
    const head = PolicySet.fromYaml(web(WORLD_ECHO), { ...options, file: 'head.yaml' });
    return Connectivity.diff(base, head, reference ? { _judgeEveryPair: true } : {}).changes.map(changeLine);
  };

  test.each([false, true])('IPv4 cluster (judging every pair: %s): icmp/8 to the IPv4 addresses newly allowed, no ICMPv6 to them',
    (reference) => {
      expect(diff({}, reference)).toEqual(['+ shop/app=web → world (IPv4) icmp/8', '+ shop/app=web → world 8.8.8.0/24 icmp/8']);
    });

  test.each([false, true])('dual-stack (judging every pair: %s): each world class its own family', (reference) => {
    expect(diff({ ipFamilies: IpFamilies.DUAL }, reference)).toEqual([
      '+ shop/app=web → world (IPv4) icmp/8', '+ shop/app=web → world (IPv6) icmpv6/128', '+ shop/app=web → world 8.8.8.0/24 icmp/8',
    ]);
  });
});

describe('sets judged for different IP families', () => {
  // Review of fixfid44: an IPv4-only base against a dual-stack head threw engine-query on the base's ICMPv6 segments.
  test('are refused up front (diff-ip-families), naming both settings; the same families compare', () => {
    const of = (ipFamilies: IpFamilies): PolicySet => PolicySet.fromYaml(web(), { ipFamilies } as PolicySetOptions);
    for (const [b, h] of [[IpFamilies.IPV4, IpFamilies.DUAL], [IpFamilies.DUAL, IpFamilies.IPV6]] as const) {
      expect(() => Connectivity.diff(of(b), of(h))).toThrow(new RegExp(`judged for the IP families ${b} and the head for ${h}.*\\(diff-ip-families\\)`));
    }
    expect(Connectivity.diff(of(IpFamilies.DUAL), of(IpFamilies.DUAL)).summary).toMatchObject({ newlyAllowed: 0, newlyDenied: 0 });
  });
});
