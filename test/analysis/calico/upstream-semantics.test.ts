import { cnp, evaluate, external, ingress, pod } from './helpers';
import { parseCalicoSelector } from '../../../src/analysis/calico';
import { NO, YES } from '../../../src/analysis/verdict';

const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const api = pod('shop', 'api', { app: 'api' }, { ip: '10.1.0.11' });

describe('Calico selector sets (libcalico-go lib/selector/parser parseOperation)', () => {
  // The set literal loop reads a string, then a comma, and stops at the first token that is not a
  // string: a trailing comma before `}` is accepted, a leading or doubled comma is not.
  test('a trailing comma in a set literal is accepted', () => {
    expect(parseCalicoSelector("app in {'web',}").matches({ app: 'web' })).toBe(true);
    expect(parseCalicoSelector("app in {'web', 'api' , }").matches({ app: 'api' })).toBe(true);
    expect(parseCalicoSelector("app in {'web',}").matches({ app: 'db' })).toBe(false);
    expect(parseCalicoSelector("app not in {'web',}").matches({ app: 'web' })).toBe(false);
    expect(parseCalicoSelector("app not in {'web',}").matches({})).toBe(true);
  });

  test.each([
    ['app in {,}', "expected '}' at position 8"],
    ["app in {'a',,}", "expected '}' at position 12"],
    ['app in {a}', "expected '}' at position 8"],
  ])('rejects %p', (expr, message) => {
    expect(() => parseCalicoSelector(expr)).toThrow(`invalid Calico selector '${expr}': ${message}`);
  });

  test('a policy whose selector has a trailing comma is applied, not skipped', () => {
    const p = cnp('shop', 'isolate', {
      selector: "app in {'web',}",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', source: { selector: "app in {'api',}" } }],
    });
    const allowed = evaluate([p], ingress(api, web, 8080));
    expect(allowed.outcome).toBe(YES);
    expect(allowed.reasons[0]).toMatchObject({ effect: 'allow', rule: 'spec.ingress[0]', object: { kind: 'NetworkPolicy', name: 'isolate' } });
    const denied = evaluate([p], ingress(external('203.0.113.7'), web, 8080));
    expect(denied.outcome).toBe(NO);
    expect(denied.reasons[0].effect).toBe('isolate');
  });
});
