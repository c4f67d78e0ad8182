// Writes codemirror-vectors.jsonl: change sets composed and mapped by the real
// @codemirror/state, which TestCodeMirrorVectors must reproduce section for section.
// The output is deterministic for a given @codemirror/state. To regenerate:
//
//	cd "$(mktemp -d)" && npm install @codemirror/state@6.7.6
//	node .../testdata/codemirror-vectors.mjs "$PWD/node_modules/@codemirror/state/dist/index.js" \
//	  > .../testdata/codemirror-vectors.jsonl
const {ChangeSet, Text} = await import(process.argv[2])

// mulberry32: seeded, so that the file changes only when CodeMirror does.
let seed = 20260305
function rand() {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const r = n => Math.floor(rand() * n)

// Accents, CJK, surrogate pairs (emoji, flag halves), a ZWJ, a combining accent, a line break.
const alphabet = ["a", "b", "c", " ", "\n", "é", "É", "ç", "教", "育", "数", "😀", "🇫", "🇷", "👩", "\u200d", "\u0301"]
function rText(n) {
  let s = ""
  for (let i = 0; i < n; i++) s += alphabet[r(alphabet.length)]
  return s
}

// Positions between characters, in UTF-16 units: never inside a surrogate pair.
function boundaries(doc) {
  const out = [0]
  let pos = 0
  for (const ch of doc) out.push(pos += ch.length)
  return out
}

function rSpec(doc) {
  const bs = boundaries(doc)
  const from = bs[r(bs.length)], rest = bs.filter(b => b >= from)
  const to = r(3) == 0 ? from : rest[r(Math.min(rest.length, 4))]
  const insert = from == to || r(2) == 0 ? rText(r(4) + 1) : ""
  return {from, to, insert}
}

const textOf = s => Text.of(s.split("\n"))

// A set of one to four changes, sometimes composed with another: composition makes shapes
// ChangeSet.of does not (a replacement next to an insertion).
function rSet(doc) {
  const specs = []
  for (let i = r(4) + 1; i > 0; i--) specs.push(rSpec(doc))
  let set = ChangeSet.of(specs, doc.length)
  if (r(3) == 0) set = set.compose(ChangeSet.of([rSpec(set.apply(textOf(doc)).toString())], set.newLength))
  return set
}

const lines = []
for (let i = 0; i < 300; i++) {
  const doc = rText(r(12)), a = rSet(doc)
  if (i % 2 == 0) {
    const b = rSet(a.apply(textOf(doc)).toString())
    lines.push(JSON.stringify({doc, a: a.toJSON(), b: b.toJSON(), compose: a.compose(b).toJSON()}))
  } else {
    const b = rSet(doc)
    lines.push(JSON.stringify({doc, a: a.toJSON(), b: b.toJSON(), map: a.map(b).toJSON(), mapBefore: a.map(b, true).toJSON()}))
  }
}
process.stdout.write(lines.join("\n") + "\n")
