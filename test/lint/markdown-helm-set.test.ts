import { markdownManifests } from '../../src/lint/markdown';

// Helm's strvals parser (helm/helm pkg/strvals/parser.go `typedVal`) types a --set value: true, false
// and null in any letter case, 0, and integers strconv.ParseInt(s, 10, 64) reads when the value does
// not start with 0; everything else is a string. --set-string keeps every value a string.
describe('Markdown: helm --set values typed as Helm types them', () => {
  const valuesOf = (command: string) => {
    const md = ['```bash', command, '```'].join('\n');
    const docs = markdownManifests(md, 'doc.md').documents;
    expect(docs).toHaveLength(1);
    return docs[0].obj;
  };

  test('booleans and null in any case, 0, signed decimal integers; leading zeros, floats, hex and 65-bit integers stay strings', () => {
    const values = valuesOf('helm install cilium cilium/cilium --set a=TRUE,b=False,c=null,d=NULL,e=0,f=+5,g=-12,h=-0,i=010,j=1.5,'
      + 'k=0x1F,l=9223372036854775807,m=9223372036854775808,n=-9223372036854775808,o=-9223372036854775809,p=,q=1e3,r=yes');
    expect(values).toEqual({
      a: true, b: false, c: null, d: null, e: 0, f: 5, g: -12, h: 0, i: '010', j: '1.5', k: '0x1F', l: 9223372036854775807, m: '9223372036854775808', n: -9223372036854775808, o: '-9223372036854775809', p: '', q: '1e3', r: 'yes',
    });
    expect(Object.is((values as any).h, 0)).toBe(true);
  });

  test('--set-string keeps them strings', () => {
    expect(valuesOf('cilium install --set-string a=TRUE,b=010,c=5')).toEqual({ a: 'TRUE', b: '010', c: '5' });
  });
});
