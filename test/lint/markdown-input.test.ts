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

describe('Markdown: YAML errors give the column in the Markdown file', () => {
  // Line 4 of the file: `   metadata: {name: a` inside a fence indented by 3 (a list item); the
  // flow map is left open, so the error is just past its last character, column 22 of the file.
  test('an indented fence: the column counts the indentation the fence removed', () => {
    const md = '1. Apply:\n   ```yaml\n   kind: Namespace\n   metadata: {name: a\n   ```\n';
    const { findings } = markdownManifests(md, 'doc.md');
    expect(findings.map((f) => [f.rule, f.line, f.message])).toEqual([
      ['yaml-parse', 4, 'not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 4, column 22'],
    ]);
  });

  test('a heredoc in an indented shell block, and an unindented fence, alike', () => {
    const heredoc = '- step\n\n  ```bash\n  cat <<EOF | kubectl apply -f -\n  kind: Namespace\n  metadata: {name: a\n  EOF\n  ```\n';
    expect(markdownManifests(heredoc, 'doc.md').findings.map((f) => f.message))
      .toEqual(['not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 6, column 21']);
    const flat = '```yaml\nkind: Namespace\nmetadata: {name: a\n```\n';
    expect(markdownManifests(flat, 'doc.md').findings.map((f) => f.message))
      .toEqual(['not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 3, column 19']);
  });
});
