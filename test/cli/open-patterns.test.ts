/**
 * `--fail-on-open` patterns: globs over `namespace/name`, namespace label selectors in brackets and
 * `outside` / `outside(KEY)` relative to the other side. Namespaces here: a-web and a-data (tenant a),
 * b (tenant b, env prod), shared (no tenant label).
 */
import { NamespaceLabelsOf, parseOpenPattern } from '../../src/cli/open-patterns';

const LABELS: Record<string, Record<string, string>> = {
  'a-web': { 'tenant': 'a', 'kubernetes.io/metadata.name': 'a-web' },
  'a-data': { 'tenant': 'a', 'kubernetes.io/metadata.name': 'a-data' },
  'b': { 'tenant': 'b', 'env': 'prod', 'kubernetes.io/metadata.name': 'b' },
  'shared': { 'kubernetes.io/metadata.name': 'shared' },
};
const labelsOf: NamespaceLabelsOf = (ns) => LABELS[ns] ?? { 'kubernetes.io/metadata.name': ns };

/** Every flow between one pod per namespace (plus b/api), and which of them `pattern` matches. */
function matched(pattern: string): string[] {
  const p = parseOpenPattern(pattern);
  const pods = ['a-web/web', 'a-data/db', 'b/api', 'b/web', 'shared/cache'];
  return pods.flatMap((s) => pods.filter((d) => d !== s && p.matches(s, d, labelsOf)).map((d) => `${s} -> ${d}`));
}

describe('--fail-on-open patterns', () => {
  test('globs over namespace/name, ! negates (as before)', () => {
    expect(matched('!b/* -> b/*')).toEqual(['a-web/web -> b/api', 'a-web/web -> b/web', 'a-data/db -> b/api', 'a-data/db -> b/web',
      'shared/cache -> b/api', 'shared/cache -> b/web']);
    expect(matched('* -> */web')).toEqual(['a-web/web -> b/web', 'a-data/db -> a-web/web', 'a-data/db -> b/web', 'b/api -> a-web/web',
      'b/api -> b/web', 'b/web -> a-web/web', 'shared/cache -> a-web/web', 'shared/cache -> b/web']);
  });

  test('outside -> [tenant]: anything into a tenant namespace from another namespace', () => {
    expect(matched('outside -> [tenant]')).toEqual([
      'a-web/web -> a-data/db', 'a-web/web -> b/api', 'a-web/web -> b/web',
      'a-data/db -> a-web/web', 'a-data/db -> b/api', 'a-data/db -> b/web',
      'b/api -> a-web/web', 'b/api -> a-data/db',
      'b/web -> a-web/web', 'b/web -> a-data/db',
      'shared/cache -> a-web/web', 'shared/cache -> a-data/db', 'shared/cache -> b/api', 'shared/cache -> b/web',
    ]);
  });

  test('outside(KEY): two different namespaces without the label are outside each other (flagged, never missed)', () => {
    const p = parseOpenPattern('outside(tenant) -> *');
    expect(p.matches('shared/cache', 'tools/ci', labelsOf)).toBe(true);
    expect(p.matches('shared/cache', 'shared/other', labelsOf)).toBe(false);
    expect(p.matches('a-data/db', 'a-web/web', labelsOf)).toBe(false);
  });

  test('outside(tenant) -> [tenant]: from another tenant or a namespace of no tenant; the namespaces of one tenant do not count', () => {
    expect(matched('outside(tenant) -> [tenant]')).toEqual([
      'a-web/web -> b/api', 'a-web/web -> b/web',
      'a-data/db -> b/api', 'a-data/db -> b/web',
      'b/api -> a-web/web', 'b/api -> a-data/db',
      'b/web -> a-web/web', 'b/web -> a-data/db',
      'shared/cache -> a-web/web', 'shared/cache -> a-data/db', 'shared/cache -> b/api', 'shared/cache -> b/web',
    ]);
    // A destination without the label is outside every tenant too.
    expect(matched('[tenant=a] -> outside(tenant)')).toEqual(['a-web/web -> b/api', 'a-web/web -> b/web', 'a-web/web -> shared/cache',
      'a-data/db -> b/api', 'a-data/db -> b/web', 'a-data/db -> shared/cache']);
  });

  test('external endpoints: external, internet and CIDRs name them; outside includes them; a [selector] never matches them', () => {
    const internet = 'external 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32';
    const ends = ['a-web/web', 'b/api', internet, 'external 10.0.0.0/8 except 10.1.0.0/16', 'external 10.1.0.0/16', 'external 169.254.169.254/32'];
    const pairs = (pattern: string) => {
      const p = parseOpenPattern(pattern);
      return ends.flatMap((s) => ends.filter((d) => d !== s && (!s.startsWith('external') || !d.startsWith('external'))
        && p.matches(s, d, labelsOf)).map((d) => `${s} -> ${d}`));
    };
    // Only the region outside every private and special range is the internet.
    expect(pairs('[tenant=a] -> internet')).toEqual([`a-web/web -> ${internet}`]);
    expect(pairs('internet -> *')).toEqual([`${internet} -> a-web/web`, `${internet} -> b/api`]);
    // A CIDR names every region sharing an address with it; an address is a /32.
    expect(pairs('a-web/* -> 169.254.169.254')).toEqual(['a-web/web -> external 169.254.169.254/32']);
    expect(pairs('b/* -> 10.0.0.0/8')).toEqual(['b/api -> external 10.0.0.0/8 except 10.1.0.0/16', 'b/api -> external 10.1.0.0/16']);
    expect(pairs('b/* -> 10.1.2.0/24')).toEqual(['b/api -> external 10.1.0.0/16']);
    expect(pairs('external -> [tenant=b]')).toEqual([
      `${internet} -> b/api`, 'external 10.0.0.0/8 except 10.1.0.0/16 -> b/api', 'external 10.1.0.0/16 -> b/api', 'external 169.254.169.254/32 -> b/api',
    ]);
    // outside and outside(KEY): an external endpoint has no namespace, so it is outside every one.
    expect(pairs('outside -> b/*')).toEqual(['a-web/web -> b/api', `${internet} -> b/api`, 'external 10.0.0.0/8 except 10.1.0.0/16 -> b/api',
      'external 10.1.0.0/16 -> b/api', 'external 169.254.169.254/32 -> b/api']);
    expect(pairs('outside(tenant) -> [tenant=a]')).toEqual(['b/api -> a-web/web', `${internet} -> a-web/web`,
      'external 10.0.0.0/8 except 10.1.0.0/16 -> a-web/web', 'external 10.1.0.0/16 -> a-web/web', 'external 169.254.169.254/32 -> a-web/web']);
    expect(pairs('[!tenant] -> *')).toEqual([]);
    expect(pairs('!external -> internet')).toEqual([`a-web/web -> ${internet}`, `b/api -> ${internet}`]);
  });

  test('selector terms: KEY, !KEY, KEY=VALUE, KEY!=VALUE, all of them; a glob after / picks pod names', () => {
    expect(matched('[!tenant] -> [tenant=b]')).toEqual(['shared/cache -> b/api', 'shared/cache -> b/web']);
    // KEY!=VALUE holds without the label too (as in Kubernetes label selectors); [KEY,KEY!=VALUE] needs it.
    expect(matched('[tenant!=a] -> [tenant=a]/web')).toEqual(['b/api -> a-web/web', 'b/web -> a-web/web', 'shared/cache -> a-web/web']);
    expect(matched('[tenant,tenant!=a] -> [tenant=a]/web')).toEqual(['b/api -> a-web/web', 'b/web -> a-web/web']);
    expect(matched('[tenant,env!=prod]/db -> [tenant=b,env=prod]/a*')).toEqual(['a-data/db -> b/api']);
    expect(matched('[kubernetes.io/metadata.name=shared] -> !outside')).toEqual([]);
    expect(matched('b/api -> !outside')).toEqual(['b/api -> b/web']);
    expect(matched('!outside -> [tenant = b]')).toEqual(['b/api -> b/web', 'b/web -> b/api']);
  });

  test('malformed patterns are errors naming the pattern', () => {
    const cases: Array<[string, string]> = [
      ['data/*', "'data/*' is not SOURCE -> DESTINATION (globs over namespace/name, [namespace label selector], outside, "
        + "external, internet or a CIDR; e.g. 'outside -> [tenant]', '!acme/* -> acme/*', '[tenant] -> internet')"],
      ['outside -> outside(tenant)', "'outside -> outside(tenant)': outside is relative to the other side; give it on one side only"],
      ['* -> [tenant', "'* -> [tenant': expected [SELECTOR] or [SELECTOR]/GLOB, got '[tenant'"],
      ['* -> [tenant]x', "'* -> [tenant]x': expected [SELECTOR] or [SELECTOR]/GLOB, got '[tenant]x'"],
      ['* -> []', "'* -> []': '[]' is not a namespace label selector (terms KEY, !KEY, KEY=VALUE or KEY!=VALUE, comma-separated)"],
      ['* -> [!tenant=a]', "'* -> [!tenant=a]': '[!tenant=a]' is not a namespace label selector (terms KEY, !KEY, KEY=VALUE or KEY!=VALUE, comma-separated)"],
      ['* -> [a b]', "'* -> [a b]': '[a b]' is not a namespace label selector (terms KEY, !KEY, KEY=VALUE or KEY!=VALUE, comma-separated)"],
      ['outside(a b) -> *', "'outside(a b) -> *': outside(a b) needs a label key"],
      ['outside( -> *', "'outside( -> *': 'outside(' is neither a glob over namespace/name, [SELECTOR], outside, external, internet nor a CIDR"],
    ];
    for (const [text, message] of cases) expect(() => parseOpenPattern(text)).toThrow(message);
  });

  describe('matchesSomePair (is the pattern undecided for want of endpoints?) answers as the pair-by-pair search', () => {
    /** The reference: every pod pair (a pod with itself included), and every pod with every external endpoint either way. */
    const everyPair = (pattern: string, pods: string[], externals: string[]) => {
      const p = parseOpenPattern(pattern);
      return pods.some((s) => pods.some((d) => p.matches(s, d, labelsOf))
        || externals.some((e) => p.matches(s, e, labelsOf) || p.matches(e, s, labelsOf)));
    };
    const POOL = ['a-web/web', 'a-data/db', 'b/api', 'b/web', 'shared/cache', 'tools/ci'];
    const EXTERNALS = ['external 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32', 'external 10.0.0.0/8', 'external 169.254.169.254/32'];
    /** Every subset of up to three pods of the pool, with every subset of the external endpoints. */
    const subsets = <T>(items: T[], max: number): T[][] => items.reduce<T[][]>((all, item) =>
      [...all, ...all.filter((x) => x.length < max).map((x) => [...x, item])], [[]]);
    const sets = subsets(POOL, 3).flatMap((pods) => subsets(EXTERNALS, 3).map((externals) => ({ pods, externals })));
    const PATTERNS = [
      '* -> *', 'b/* -> b/*', '!b/* -> b/*', 'a-web/web -> a-web/web', 'outside -> [tenant]', '[tenant] -> outside', 'outside -> b/api',
      '!outside -> [tenant=b]', '[tenant=a] -> !outside', 'outside(tenant) -> [tenant]', '[tenant=a] -> outside(tenant)',
      '!outside(tenant) -> [tenant=a]', 'outside -> external', 'internet -> outside', 'external -> *', '[tenant] -> internet',
      '!external -> 10.1.0.0/16', '169.254.169.254 -> *', '* -> 169.254.169.254', 'external -> external', '[!tenant] -> [tenant=b]',
      'outside(env) -> [env=prod]', '!outside -> external',
    ];

    test.each(PATTERNS)('%s', (pattern) => {
      const p = parseOpenPattern(pattern);
      const answers = sets.map(({ pods, externals }) => p.matchesSomePair(pods, externals, labelsOf));
      expect(answers).toEqual(sets.map(({ pods, externals }) => everyPair(pattern, pods, externals)));
    });

    test('the sets are not trivial: most patterns match some sets and not others', () => {
      const mixed = PATTERNS.filter((pattern) => {
        const answers = new Set(sets.map(({ pods, externals }) => everyPair(pattern, pods, externals)));
        return answers.size === 2;
      });
      // Two never match anything: an external endpoint pairs only with pods, and one is outside every namespace.
      expect(PATTERNS.filter((x) => !mixed.includes(x))).toEqual(['external -> external', '!outside -> external']);
    });
  });
});
