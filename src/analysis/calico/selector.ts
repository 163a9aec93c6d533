/**
 * The Calico selector language, as documented for `selector`, `namespaceSelector` and
 * `serviceAccountSelector` fields in
 * https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#selectors :
 *
 * - `all()` matches everything (under a rule's `namespaceSelector`: everything in a namespace);
 *   `global()` matches non-namespaced resources (GlobalNetworkSets, host endpoints) and is meant for
 *   a rule's `namespaceSelector`;
 * - `has(k)`; `k == 'v'`; `k != 'v'` (also true when `k` is absent); `k in {'a','b'}`;
 *   `k not in {...}` (also true when `k` is absent; a set may end with a comma, `{'a',}`);
 *   `k starts with 'x'`, `k ends with 'x'`, `k contains 'x'` (false when `k` is absent);
 * - `!`, `&&` (binds tighter than `||`), `||`, parentheses; values in single or double quotes.
 *
 * An empty (or all-whitespace) expression is `all()`, which is what Calico does for an omitted
 * selector. Error positions are 0-based character offsets into the expression.
 */
import { Labels } from '../selectors';

/**
 * Evaluation scope of a rule's `namespaceSelector`: whether the candidate is a non-namespaced
 * resource (what `global()` tests). libcalico-go turns such a selector into one over the
 * candidate's `pcns.` (namespace) labels, with `all()` rewritten to `has(projectcalico.org/namespace)`
 * and `global()` to its negation (updateprocessors/rules.go, getEndpointSelector): a non-namespaced
 * resource has no namespace labels, so `all()` is false for it and a selector of negative terms only
 * (`env not in {'prod'}`) is true. Give `{ global: false }` for a namespaced candidate. Without a
 * scope (every other selector field), `global()` is true like `all()`: libcalico-go's parser
 * evaluates it to true and only a rule's namespaceSelector is rewritten.
 */
export interface SelectorScope {
  readonly global?: boolean;
}

/** One test of a selector on one label key, as a function of the label's value (undefined: absent). */
export interface LabelAtom {
  readonly key: string;
  /** The test only looks at whether the label is there (`has(k)`, `Exists`, `DoesNotExist`). */
  readonly presenceOnly: boolean;
  /**
   * The test compares a present value only for equality with these strings (`In`, `NotIn`, `==`,
   * `!=`, `in {...}`, `not in {...}`): every present value not among them gets the same answer.
   * @default - not such a test (`starts with`, `contains`, ...): the answer may vary with the value in any way
   */
  readonly literals?: readonly string[];
  /** Does the test pass for this value of the key (undefined: the label is absent)? */
  test(value: string | undefined): boolean;
}

/** A compiled Calico selector. */
export interface CalicoSelector {
  /** The source expression. */
  readonly expression: string;
  /** Does the expression contain `global()`? */
  readonly usesGlobal: boolean;
  /** The label keys the expression tests (in `has()` and comparisons). */
  readonly labelKeys: ReadonlySet<string>;
  /** Every label test in it, in order (a `!` around one does not change what it reads). */
  readonly atoms: readonly LabelAtom[];
  /** Does the selector match an object with these labels (`scope.global`: it is a non-namespaced resource)? */
  matches(labels: Record<string, string>, scope?: SelectorScope): boolean;
}

/** `global`: undefined outside a rule namespaceSelector, else whether the candidate is non-namespaced. */
type Eval = (labels: Labels, global: boolean | undefined) => boolean;

const KEY_CHAR = /[A-Za-z0-9_.\/-]/;

/** Recursive-descent parser; one instance per expression. */
class Parser {
  private pos = 0;
  usesGlobal = false;
  readonly labelKeys = new Set<string>();
  readonly atoms: LabelAtom[] = [];

  constructor(private readonly text: string) {}

  parse(): Eval {
    this.skipSpace();
    if (this.pos >= this.text.length) return () => true;
    const expr = this.parseOr();
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text[this.pos]}'`);
    return expr;
  }

  private parseOr(): Eval {
    const terms = [this.parseAnd()];
    while (this.eat('||')) terms.push(this.parseAnd());
    return terms.length === 1 ? terms[0] : (l, g) => terms.some((t) => t(l, g));
  }

  private parseAnd(): Eval {
    const terms = [this.parseUnary()];
    while (this.eat('&&')) terms.push(this.parseUnary());
    return terms.length === 1 ? terms[0] : (l, g) => terms.every((t) => t(l, g));
  }

  private parseUnary(): Eval {
    this.skipSpace();
    // `!=` never starts a term, so a leading `!` is always negation.
    if (this.eat('!')) {
      const inner = this.parseUnary();
      return (l, g) => !inner(l, g);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Eval {
    this.skipSpace();
    if (this.eat('(')) {
      const inner = this.parseOr();
      this.expect(')');
      return inner;
    }
    const word = this.readKey();
    if (!word) this.fail(this.pos >= this.text.length ? 'unexpected end of selector' : `unexpected '${this.text[this.pos]}'`);
    const afterWord = this.pos;
    // libcalico-go's tokenizer only knows `has(`, `all(` and `global(` without a space before `(`.
    if (this.peek('(') && ['all', 'global', 'has'].includes(word)) {
      this.eat('(');
      if (word === 'has') {
        this.skipSpace();
        const key = this.readKey();
        if (!key) this.fail('expected a label key inside has()');
        this.expect(')');
        return this.atom(key, (v) => v !== undefined, true);
      }
      this.expect(')');
      // all(): everything, but under a namespaceSelector only what is in a namespace (see SelectorScope).
      if (word === 'all') return (_l, g) => g !== true;
      this.usesGlobal = true;
      return (_l, g) => g !== false;
    }
    this.pos = afterWord;
    return this.parseComparison(word);
  }

  /** A test on one key, recorded in `atoms`. */
  private atom(key: string, test: (value: string | undefined) => boolean, presenceOnly = false, literals?: readonly string[]): Eval {
    this.labelKeys.add(key);
    this.atoms.push({ key, test, presenceOnly, ...(literals ? { literals } : {}) });
    return (l) => test(Object.prototype.hasOwnProperty.call(l, key) ? l[key] : undefined);
  }

  private parseComparison(key: string): Eval {
    this.labelKeys.add(key);
    this.skipSpace();
    if (this.eat('==')) {
      const v = this.readString();
      return this.atom(key, (x) => x !== undefined && x === v, false, [v]);
    }
    if (this.eat('!=')) {
      const v = this.readString();
      return this.atom(key, (x) => x === undefined || x !== v, false, [v]);
    }
    if (this.eatWord('in')) {
      const set = this.readSet();
      return this.atom(key, (x) => x !== undefined && set.has(x), false, [...set]);
    }
    if (this.eatWords('not', 'in')) {
      const set = this.readSet();
      return this.atom(key, (x) => x === undefined || !set.has(x), false, [...set]);
    }
    if (this.eatWords('starts', 'with')) {
      const v = this.readString();
      return this.atom(key, (x) => x !== undefined && x.startsWith(v));
    }
    if (this.eatWords('ends', 'with')) {
      const v = this.readString();
      return this.atom(key, (x) => x !== undefined && x.endsWith(v));
    }
    if (this.eatWord('contains')) {
      const v = this.readString();
      return this.atom(key, (x) => x !== undefined && x.includes(v));
    }
    if (this.eatWords('not')) this.fail("expected 'in' after 'not'");
    if (this.pos >= this.text.length) {
      this.fail(`expected an operator after label '${key}' (a bare key is not a selector; did you mean has(${key})?)`);
    }
    this.fail(`expected an operator (==, !=, in, not in, starts with, ends with, contains) after label '${key}'`);
  }

  /**
   * `{'a', 'b'}`, possibly empty. Like libcalico-go's parser (parseOperation), read strings each
   * followed by an optional comma and stop at the first token that is not a string: a trailing
   * comma (`{'a',}`) is accepted, a leading or doubled one is not.
   */
  private readSet(): Set<string> {
    this.expect('{');
    const values = new Set<string>();
    for (;;) {
      this.skipSpace();
      const next = this.text[this.pos];
      if (next !== "'" && next !== '"') break;
      values.add(this.readString());
      if (!this.eat(',')) break;
    }
    this.expect('}');
    return values;
  }

  private readString(): string {
    this.skipSpace();
    const quote = this.text[this.pos];
    if (quote !== "'" && quote !== '"') this.fail('expected a quoted value');
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('unterminated string');
    const value = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private readKey(): string {
    const start = this.pos;
    while (this.pos < this.text.length && KEY_CHAR.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** libcalico-go's tokenizer skips spaces and tabs only (a newline is not whitespace to it). */
  private skipSpace(): void {
    while (this.pos < this.text.length && (this.text[this.pos] === ' ' || this.text[this.pos] === '\t')) this.pos++;
  }

  private peek(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  private eat(token: string): boolean {
    this.skipSpace();
    if (!this.peek(token)) return false;
    this.pos += token.length;
    return true;
  }

  /** Eat a keyword only when it is a whole word (so a key like `index` is not read as `in`). */
  private eatWord(word: string): boolean {
    this.skipSpace();
    if (!this.peek(word)) return false;
    const next = this.text[this.pos + word.length];
    if (next !== undefined && KEY_CHAR.test(next)) return false;
    this.pos += word.length;
    return true;
  }

  /**
   * Eat a multi-word operator (`not in`, `starts with`, `ends with`); libcalico-go's tokenizer
   * allows any spaces between the words, none included (`notin`, `startswith`), and needs a word
   * boundary after the last one.
   */
  private eatWords(...words: string[]): boolean {
    this.skipSpace();
    const start = this.pos;
    let afterLast = start;
    for (const word of words) {
      if (!this.peek(word)) {
        this.pos = start;
        return false;
      }
      this.pos += word.length;
      afterLast = this.pos;
      this.skipSpace();
    }
    const next = this.text[afterLast];
    if (next !== undefined && KEY_CHAR.test(next)) {
      this.pos = start;
      return false;
    }
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token)) {
      this.fail(this.pos >= this.text.length ? `expected '${token}' but the selector ended` : `expected '${token}'`);
    }
  }

  private fail(message: string): never {
    throw new Error(`invalid Calico selector '${this.text}': ${message} at position ${this.pos}`);
  }
}

/**
 * Parse and compile a Calico selector expression. Throws
 * `Error("invalid Calico selector '<expr>': <problem> at position <N>")` on syntax errors.
 */
export function parseCalicoSelector(expr: string): CalicoSelector {
  const parser = new Parser(expr ?? '');
  const evaluate = parser.parse();
  return {
    expression: expr,
    usesGlobal: parser.usesGlobal,
    labelKeys: parser.labelKeys,
    atoms: parser.atoms,
    matches: (labels, scope) => evaluate(labels, scope?.global),
  };
}

/** Compiles each distinct expression once; policies repeat the same selectors many times. */
export class SelectorCache {
  private readonly cache = new Map<string, CalicoSelector>();

  /** The compiled selector for `expr` (throws like {@link parseCalicoSelector}). */
  get(expr: string): CalicoSelector {
    let sel = this.cache.get(expr);
    if (!sel) {
      sel = parseCalicoSelector(expr);
      this.cache.set(expr, sel);
    }
    return sel;
  }
}
