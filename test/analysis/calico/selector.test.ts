import { parseCalicoSelector } from '../../../src/analysis/calico';

// Semantics from https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors
const m = (expr: string, labels: Record<string, string>) => parseCalicoSelector(expr).matches(labels);

describe('Calico selector language', () => {
  test('multi-word operators take any spaces between the words, none included (libcalico-go tokenizer)', () => {
    for (const expr of ["app startswith 'fr'", "app starts  with 'fr'", "app starts\twith 'fr'"]) {
      expect(parseCalicoSelector(expr).matches({ app: 'frontend' })).toBe(true);
      expect(parseCalicoSelector(expr).matches({ app: 'backend' })).toBe(false);
    }
    expect(parseCalicoSelector("app endswith 'end'").matches({ app: 'frontend' })).toBe(true);
    expect(parseCalicoSelector("app notin {'a'}").matches({ app: 'b' })).toBe(true);
    expect(parseCalicoSelector("app notin {'a'}").matches({ app: 'a' })).toBe(false);
    // A word boundary is needed after the last word: `startswithx` is not an operator.
    expect(() => parseCalicoSelector("app startswithx 'a'")).toThrow('expected an operator');
  });

  test('all() and the empty expression match everything', () => {
    expect(m('all()', {})).toBe(true);
    expect(m('', { a: 'b' })).toBe(true);
    expect(m('   ', {})).toBe(true);
  });

  test('has() and !has()', () => {
    expect(m('has(app)', { app: 'x' })).toBe(true);
    expect(m('has(app)', { other: 'x' })).toBe(false);
    expect(m('!has(app)', { other: 'x' })).toBe(true);
    expect(m('!has(app)', { app: '' })).toBe(false);
  });

  test('== and != (!= is true when the key is absent)', () => {
    expect(m("app == 'web'", { app: 'web' })).toBe(true);
    expect(m('app == "web"', { app: 'db' })).toBe(false);
    expect(m("app == 'web'", {})).toBe(false);
    expect(m("app != 'web'", { app: 'db' })).toBe(true);
    expect(m("app != 'web'", { app: 'web' })).toBe(false);
    expect(m("app != 'web'", {})).toBe(true);
  });

  test('in and not in (not in is true when the key is absent)', () => {
    expect(m("tier in {'web', 'api'}", { tier: 'api' })).toBe(true);
    expect(m("tier in {'web', 'api'}", { tier: 'db' })).toBe(false);
    expect(m("tier in {'web'}", {})).toBe(false);
    expect(m("tier not in {'web', 'api'}", { tier: 'db' })).toBe(true);
    expect(m("tier not in {'web', 'api'}", { tier: 'web' })).toBe(false);
    expect(m("tier not in {'web'}", {})).toBe(true);
    expect(m('tier in {}', { tier: 'x' })).toBe(false);
  });

  test('starts with, ends with, contains (false when the key is absent)', () => {
    expect(m("name starts with 'front'", { name: 'frontend' })).toBe(true);
    expect(m("name starts with 'back'", { name: 'frontend' })).toBe(false);
    expect(m("name ends with 'end'", { name: 'frontend' })).toBe(true);
    expect(m("name ends with 'front'", { name: 'frontend' })).toBe(false);
    expect(m("name contains 'ont'", { name: 'frontend' })).toBe(true);
    expect(m("name contains 'x'", { name: 'frontend' })).toBe(false);
    expect(m("name contains ''", {})).toBe(false);
  });

  test('&& binds tighter than ||, parentheses and ! override', () => {
    // a || (b && c): true when only a holds.
    expect(m("a == '1' || b == '1' && c == '1'", { a: '1' })).toBe(true);
    // (a || b) && c: false when c is missing.
    expect(m("(a == '1' || b == '1') && c == '1'", { a: '1' })).toBe(false);
    expect(m("!(a == '1' || b == '1')", { a: '1' })).toBe(false);
    expect(m("!(a == '1' || b == '1')", { c: '1' })).toBe(true);
    expect(m("!a == '1'", { a: '2' })).toBe(true);
  });

  test('label keys with prefixes, dots and dashes', () => {
    expect(m("app.kubernetes.io/name == 'nginx' && projectcalico.org/namespace == 'shop'",
      { 'app.kubernetes.io/name': 'nginx', 'projectcalico.org/namespace': 'shop' })).toBe(true);
    // A key that starts with a keyword is still a key.
    expect(m("index == 'x'", { index: 'x' })).toBe(true);
    expect(m('has(all)', { all: 'x' })).toBe(true);
  });

  test('under a rule namespaceSelector global() only matches a non-namespaced scope; elsewhere it is true (libcalico-go GlobalNode)', () => {
    const sel = parseCalicoSelector('global()');
    expect(sel.usesGlobal).toBe(true);
    expect(sel.matches({ 'kubernetes.io/metadata.name': 'shop' }, { global: false })).toBe(false);
    expect(sel.matches({}, { global: true })).toBe(true);
    expect(sel.matches({ app: 'web' })).toBe(true);
    expect(parseCalicoSelector("!global() || app == 'web'").matches({ app: 'db' })).toBe(false);
    expect(parseCalicoSelector('all()').usesGlobal).toBe(false);
    // Under a namespaceSelector, all() is "in any namespace": not a non-namespaced resource.
    expect(parseCalicoSelector('all()').matches({ 'kubernetes.io/metadata.name': 'shop' })).toBe(true);
    expect(parseCalicoSelector('all()').matches({}, { global: true })).toBe(false);
  });

  test.each([
    ['app == web', 'expected a quoted value at position 7'],
    ["app == 'a' &&", 'unexpected end of selector at position 13'],
    ["(app == 'a'", "expected ')' but the selector ended at position 11"],
    ['app', "expected an operator after label 'app'"],
    ["app in {'a' 'b'}", "expected '}' at position 12"],
    ["app == 'a' extra", "unexpected 'e' at position 11"],
    ["app not {'a'}", "expected 'in' after 'not' at position 8"],
    ["app == 'unterminated", 'unterminated string at position 7'],
    // libcalico-go's tokenizer (lib/selector/tokenizer) wants `has(` without a space, and skips only spaces and tabs.
    ['has (app)', 'expected an operator'],
    ["app == 'a'\n&& b == 'c'", 'unexpected'],
  ])('rejects %p with a positioned error', (expr, message) => {
    expect(() => parseCalicoSelector(expr)).toThrow(`invalid Calico selector '${expr}': `);
    expect(() => parseCalicoSelector(expr)).toThrow(message);
  });
});
