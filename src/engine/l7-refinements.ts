/**
 * `PolicySet.decide`'s memo of L7 decisions: per set of L7 rules kept with an L4 allow (`SideOutcome.l7Rules`, one array
 * per kept decision), the decision for each request already judged — HTTP requests without headers by method, path and
 * host, DNS lookups by name — so that a warm query with a request runs no pattern again. Anything else (headers, Kafka,
 * several kinds of request in one query) is judged every time. The decisions are `refineOutcome`'s.
 */
import { EngineConfig } from './compile';
import { l4OfCode } from './decision-table';
import { SideOutcome, refineOutcome } from './evaluate';
import { HttpRequest } from './l7';
import { sideQueryOf } from './l4-query';
import { L4Query } from './ports';
import { VerdictQuery } from './verdict';

/** Bound on the requests kept per set of L7 rules (the memo of that set starts over when it is reached). */
const MAX_REQUESTS = 4_096;

/** The decisions kept for one set of L7 rules. */
interface RulesMemo {
  /** HTTP: method, then path, then host (`undefined` for none); created on first use. */
  http?: Map<unknown, Map<unknown, Map<unknown, SideOutcome>>>;
  /** DNS: by name; created on first use. */
  dns?: Map<unknown, SideOutcome>;
  /** Requests kept. */
  size: number;
}

/** L7 decisions kept per set of L7 rules and request. */
export class L7Refinements {
  private byRules = new WeakMap<object, RulesMemo>();

  public constructor(private readonly config: EngineConfig) {}

  /** Forgets every L7 decision kept. */
  public clear(): void {
    this.byRules = new WeakMap();
  }

  /**
   * `refineOutcome(outcome, sideQueryOf(query, l4), config)`, kept for HTTP requests without headers or scheme, and DNS lookups.
   * @param l4 the query's layer-4 part, if built (else made from `code` when needed)
   * @param code its `l4Code`
   */
  public refine(outcome: SideOutcome, query: VerdictQuery, l4: L4Query | undefined, code: number): SideOutcome {
    const rules = outcome.l7Rules;
    if (rules === undefined) return outcome;
    const { http, dns } = query;
    const other = Boolean(query.kafka);
    // Memoised by method, path and host: a request with headers, or with a scheme (a rule on `:scheme` tells it apart from
    // one without, whose scheme is the connection's: `https` where the proxy terminates TLS), is judged afresh.
    const httpOnly = http !== undefined && dns === undefined && !other && typeof http === 'object' && http !== null && http.headers === undefined
      && http.scheme === undefined;
    const dnsOnly = dns !== undefined && http === undefined && !other;
    if (!httpOnly && !dnsOnly) return this.judge(outcome, query, l4, code);
    let memo = this.byRules.get(rules);
    if (memo === undefined || memo.size >= MAX_REQUESTS) {
      memo = { size: 0 };
      this.byRules.set(rules, memo);
    }
    if (dnsOnly) {
      const byName = (memo.dns ??= new Map());
      let refined = byName.get(dns);
      if (refined === undefined) {
        refined = this.judge(outcome, query, l4, code);
        byName.set(dns, refined);
        memo.size++;
      }
      return refined;
    }
    const req = http as HttpRequest;
    const byMethod = (memo.http ??= new Map());
    let byPath = byMethod.get(req.method);
    if (byPath === undefined) {
      byPath = new Map();
      byMethod.set(req.method, byPath);
    }
    let byHost = byPath.get(req.path);
    if (byHost === undefined) {
      byHost = new Map();
      byPath.set(req.path, byHost);
    }
    let refined = byHost.get(req.host);
    if (refined === undefined) {
      refined = this.judge(outcome, query, l4, code);
      byHost.set(req.host, refined);
      memo.size++;
    }
    return refined;
  }

  private judge(outcome: SideOutcome, query: VerdictQuery, l4: L4Query | undefined, code: number): SideOutcome {
    return refineOutcome(outcome, sideQueryOf(query, l4 ?? l4OfCode(code)), this.config);
  }
}
