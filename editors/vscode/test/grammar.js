// Tokenizes Credence rule text with the extension's grammar through the same TextMate engine
// VS Code uses (vscode-textmate + vscode-oniguruma) and checks the scopes of chosen tokens.
// Usage: node test/grammar.js FILE.cred... (each file must tokenize; then the fixed
// expectations below are checked).
'use strict';

const fs = require('fs');
const path = require('path');
const assert = require('assert');
const textmate = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const grammarPath = path.join(__dirname, '..', 'syntaxes', 'cred.tmLanguage.json');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () =>
      textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
  });
  return registry.loadGrammar('source.cred');
}

/** Every token of `text` as [line, text, innermost scope]. */
function tokenize(grammar, text) {
  const out = [];
  let state = textmate.INITIAL;
  text.split('\n').forEach((line, n) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      out.push([n, line.slice(token.startIndex, token.endIndex), token.scopes]);
    }
    state = result.ruleStack;
  });
  return out;
}

/** The innermost scope of the first token whose text is `word` (after `from` on its line). */
function scopeOf(tokens, word, from) {
  let lines = new Set(tokens.filter(([, text]) => from && text.includes(from)).map(([n]) => n));
  const found = tokens.find(
    ([n, text]) => text.trim() === word && (!from || lines.has(n)),
  );
  assert.ok(found, `no token \`${word}\``);
  return found[2][found[2].length - 1];
}

const SAMPLE = `ruleset demo { version "1" }
# a comment with "quotes" and { braces
let fast = claim.published_at - incident.started_at <= 6h30m
score credibility {
  evidence prior 50%
  criterion channel "Channel" {
    about "Official outlets {claim.channel} \\"quoted\\" matter"
    when claim.channel_class == "official_agency" => lr 2.5 "official"
    refine when count(p in posts where p.at >= 2018-03-23T09:10:00Z) > 3 => lr 4 "wave"
    unknown => skip "not recorded"
  }
  bands {
    when rival_found => "false" unless contact_found => "contested"
    else => "open"
  }
}
profile {
  subject claim "claim"
}
hypotheses authorship "Who did it" {
  groups claim.claimant
  each directed "{hypothesis.group} did it"
  conflict lr 5
}
`;

const EXPECTED = [
  ['ruleset', null, 'storage.type.cred'],
  ['demo', null, 'entity.name.function.cred'],
  ['# a comment with "quotes" and { braces', null, 'comment.line.number-sign.cred'],
  ['6h30m', null, 'constant.numeric.duration.cred'],
  ['50%', null, 'constant.numeric.percentage.cred'],
  ['channel', 'criterion', 'entity.name.function.cred'],
  ['about', null, 'storage.modifier.cred'],
  ['claim', 'Official outlets', 'variable.other.cred'],
  ['\\"', null, 'constant.character.escape.cred'],
  ['when', null, 'keyword.control.cred'],
  ['==', null, 'keyword.operator.cred'],
  ['"', 'official_agency', 'punctuation.definition.string.begin.cred'],
  ['=>', null, 'keyword.operator.arrow.cred'],
  ['lr', null, 'keyword.other.contribution.cred'],
  ['2.5', null, 'constant.numeric.cred'],
  ['refine', null, 'keyword.control.cred'],
  ['count', null, 'support.function.cred'],
  ['in', null, 'keyword.operator.word.cred'],
  ['2018-03-23T09:10:00Z', null, 'constant.other.timestamp.cred'],
  ['skip', null, 'keyword.control.cred'],
  ['unless', null, 'keyword.control.cred'],
  ['profile', null, 'storage.modifier.cred'],
  ['hypotheses', null, 'storage.type.cred'],
  ['authorship', null, 'entity.name.function.cred'],
  ['groups', null, 'storage.modifier.cred'],
  ['directed', 'each', 'entity.name.function.cred'],
  ['conflict', null, 'storage.modifier.cred'],
];

(async () => {
  const grammar = await loadGrammar();
  const tokens = tokenize(grammar, SAMPLE);
  for (const [word, from, scope] of EXPECTED) {
    assert.strictEqual(scopeOf(tokens, word, from), scope, `scope of \`${word}\``);
  }
  // An interpolation is inside its string: the name after `{` is within string scope.
  const interpolated = tokens.find(([, text, scopes]) => text === 'claim' && scopes.includes('meta.interpolation.cred'));
  assert.ok(interpolated && interpolated[2].includes('string.quoted.double.cred'), 'interpolation inside a string');
  // A comment inside a string is part of the string.
  const sharp = tokenize(grammar, 'about "#1 outlet"\nlet x = 1');
  assert.ok(sharp.filter(([n]) => n === 0).every(([, , s]) => !s.includes('comment.line.number-sign.cred')), '`#` in a string');
  // An unclosed string ends at its line, as the lexer says.
  const open = tokenize(grammar, 'about "never closed\nlet x = 1');
  assert.strictEqual(scopeOf(open, 'let', null), 'storage.type.cred', 'a string ends at its line');

  // In every given rule file, no construct runs past the end of its line (the rule language
  // has no multi-line token), comments are comments and declared names are names.
  let lines = 0;
  for (const file of process.argv.slice(2)) {
    let state = textmate.INITIAL;
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, n) => {
      const result = grammar.tokenizeLine(line, state);
      const where = `${file}:${n + 1}`;
      assert.strictEqual(result.ruleStack.depth, textmate.INITIAL.depth, `${where}: open at the line end`);
      const first = result.tokens.find((t) => line.slice(t.startIndex, t.endIndex).trim() !== '');
      const scopes = first ? first.scopes : [];
      if (line.trim().startsWith('#')) {
        assert.ok(scopes.includes('comment.line.number-sign.cred'), `${where}: a comment`);
      }
      const declared = /^\s*(criterion|score|let|const|hypotheses|each|one)\s+(\w+)/.exec(line);
      if (declared) {
        const name = result.tokens.find((t) => line.slice(t.startIndex, t.endIndex) === declared[2]);
        assert.ok(name && name.scopes.includes('entity.name.function.cred'), `${where}: \`${declared[2]}\` is a name`);
      }
      state = result.ruleStack;
      lines += 1;
    });
  }
  console.log(`grammar: ${EXPECTED.length + 3} scope checks passed; ${lines} lines of rule files tokenized cleanly`);
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
