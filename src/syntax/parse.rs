//! Builds the positioned tree from the YAML event stream. JSON is parsed by
//! the same path: a JSON document is a YAML flow collection.
//!
//! The builder never recurses, so depth costs no stack; nesting deeper than
//! [`MAX_DEPTH`] and alias expansion larger than the budget end in an error.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as YamlStyle, Span as YamlSpan};

use super::tree::{Entry, Node, NodeKind, Scalar, ScalarStyle, ScalarText, Span};

/// The reference implementation's nesting limit for template documents.
pub(crate) const MAX_DEPTH: usize = 128;
/// Nodes that alias expansion may add, beyond the document's own nodes
/// (a scalar's text weighs as much as a node per [`BYTES_PER_NODE`]).
const ALIAS_BUDGET_MIN: usize = 100_000;
/// About what a node of the tree takes: a scalar's text counts one node of
/// the alias budget for every this many bytes, so that an alias to a large
/// scalar, used many times, is bounded by the bytes it copies.
const BYTES_PER_NODE: usize = 64;

/// The weight of a scalar node with `len` bytes of text.
fn scalar_weight(len: usize) -> usize {
    1 + len / BYTES_PER_NODE
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    Syntax,
    TooDeep,
    AliasBudget,
    UnknownAnchor,
    DuplicateKey,
    MultipleDocuments,
    NonScalarKey,
}

#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub span: Span,
    pub kind: SyntaxErrorKind,
    pub message: String,
    /// For a duplicate key: where the key was first defined.
    pub related: Option<Span>,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub errors: Vec<SyntaxError>,
    /// True when the parser stopped early, so the tree is only a prefix.
    pub truncated: bool,
    /// True when anchors, aliases or merge keys shaped the tree, so it is
    /// not a plain transcription of the text.
    pub indirect: bool,
    /// True when `parse_until` was told to stop: the result is not wanted.
    pub stopped: bool,
}

/// How many parser events pass between two looks at whether to stop.
const EVENTS_BETWEEN_STOP_CHECKS: usize = 4096;

/// Converts the scanner's character indices to byte offsets.
struct Offsets<'a> {
    text: &'a str,
    base: usize,
    ascii: bool,
    /// Byte offset of every 1024th character.
    checkpoints: Vec<usize>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str, base: usize) -> Self {
        let ascii = text.is_ascii();
        let mut checkpoints = Vec::new();
        if !ascii {
            for (n, (i, _)) in text.char_indices().enumerate() {
                if n % 1024 == 0 {
                    checkpoints.push(i);
                }
            }
        }
        Offsets {
            text,
            base,
            ascii,
            checkpoints,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            return self.base + char_index.min(self.text.len());
        }
        let Some(&start) = self.checkpoints.get(char_index / 1024) else {
            return self.base + self.text.len();
        };
        let rest = char_index % 1024;
        let off = self.text[start..]
            .char_indices()
            .nth(rest)
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len());
        self.base + off
    }

    fn span(&self, span: &YamlSpan) -> Span {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        start..end
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    offsets: Offsets<'a>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    errors: Vec<SyntaxError>,
    alias_budget: usize,
    indirect: bool,
}

/// Parse `text` (the whole document, BOM included if present).
pub fn parse(text: &str) -> Parsed {
    parse_until(text, &|| false)
}

/// [`parse`], stopping early (with `stopped` set) once `stop` says so: the
/// text of a large document takes a while to read, and a newer version of
/// it makes the result moot.
pub fn parse_until(text: &str, stop: &dyn Fn() -> bool) -> Parsed {
    let (src, base) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, '\u{feff}'.len_utf8()),
        None => (text, 0),
    };
    let mut b = Builder {
        offsets: Offsets::new(src, base),
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        errors: Vec::new(),
        alias_budget: ALIAS_BUDGET_MIN.max(src.len() / 4),
        indirect: false,
    };
    let mut parser = Parser::new_from_str(src).keep_tags(true);
    let mut documents = 0;
    let mut truncated = false;
    let mut stopped = false;
    let mut events = 0usize;
    while let Some(next) = parser.next_event() {
        events += 1;
        if events.is_multiple_of(EVENTS_BETWEEN_STOP_CHECKS) && stop() {
            stopped = true;
            truncated = true;
            break;
        }
        let (event, yspan) = match next {
            Ok(ev) => ev,
            Err(err) => {
                let at = b.offsets.byte(err.marker().index());
                b.errors.push(SyntaxError {
                    span: at..at,
                    kind: SyntaxErrorKind::Syntax,
                    message: format!("YAML syntax error: {}", err.info()),
                    related: None,
                });
                truncated = true;
                b.close_all(at);
                break;
            }
        };
        let span = b.offsets.span(&yspan);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    b.errors.push(SyntaxError {
                        span: span.clone(),
                        kind: SyntaxErrorKind::MultipleDocuments,
                        message: "A template file holds exactly one YAML document; remove this second document (or the `---` separator)".into(),
                        related: None,
                    });
                    break;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let span = if tag.is_some() {
                    past_tag(src, base, span, style)
                } else {
                    span
                };
                // Exactly the text (the scanner leaves room to grow): a
                // document's tree is kept for as long as it is open.
                let scalar = Scalar {
                    value: ScalarText::from(value.as_ref()),
                    style: convert_style(style),
                    tag: tag.map(|t| Box::new(format!("{}{}", expand_handle(&t.handle), t.suffix))),
                };
                let node = Node {
                    span,
                    weight: scalar_weight(scalar.value.len()),
                    kind: NodeKind::Scalar(scalar),
                };
                b.finish_node(node, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                if !b.push(
                    Frame::Seq {
                        start: span.start,
                        anchor,
                        items: Vec::new(),
                    },
                    &span,
                ) {
                    truncated = true;
                    break;
                }
            }
            Event::MappingStart(anchor, _) => {
                if !b.push(
                    Frame::Map {
                        start: span.start,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    },
                    &span,
                ) {
                    truncated = true;
                    break;
                }
            }
            Event::SequenceEnd | Event::MappingEnd => b.pop(span.end),
            Event::Alias(id) => b.alias(id, span),
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
    }
    Parsed {
        root: b.root,
        errors: b.errors,
        truncated,
        indirect: b.indirect,
        stopped,
    }
}

/// The span of a tagged scalar starts at its tag (`!Sub |`); start it
/// where an untagged scalar of the same style would, at its content.
fn past_tag(src: &str, base: usize, span: Span, style: YamlStyle) -> Span {
    let rel = span.start.saturating_sub(base);
    let Some(raw) = src.get(rel..span.end.saturating_sub(base).max(rel)) else {
        return span;
    };
    if !raw.starts_with('!') {
        return span;
    }
    let tag_end = raw
        .find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}')
        .unwrap_or(raw.len());
    let mut at =
        tag_end + (raw[tag_end..].len() - raw[tag_end..].trim_start_matches([' ', '\t']).len());
    if matches!(style, YamlStyle::Literal | YamlStyle::Folded) {
        // Past the header line (`|-2 # comment`) and the first line's indentation.
        if let Some(nl) = raw[at..].find('\n') {
            at += nl + 1;
            at += raw[at..].len() - raw[at..].trim_start_matches(' ').len();
        }
    }
    (span.start + at).min(span.end)..span.end
}

fn expand_handle(handle: &str) -> &str {
    if handle == "!!" {
        "tag:yaml.org,2002:"
    } else {
        handle
    }
}

fn convert_style(style: YamlStyle) -> ScalarStyle {
    match style {
        YamlStyle::Plain => ScalarStyle::Plain,
        YamlStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        YamlStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        YamlStyle::Literal => ScalarStyle::Literal,
        YamlStyle::Folded => ScalarStyle::Folded,
    }
}

impl Builder<'_> {
    fn push(&mut self, frame: Frame, span: &Span) -> bool {
        if self.stack.len() >= MAX_DEPTH {
            self.errors.push(SyntaxError {
                span: span.start..span.start,
                kind: SyntaxErrorKind::TooDeep,
                message: format!(
                    "Nesting deeper than {MAX_DEPTH} levels; templates are not read past this point"
                ),
                related: None,
            });
            self.close_all(span.start);
            return false;
        }
        self.stack.push(frame);
        true
    }

    fn pop(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let (node, anchor) = match frame {
            Frame::Seq {
                start,
                anchor,
                items,
            } => {
                let items = super::tree::exact(items);
                let weight = 1 + items.iter().map(|n| n.weight).sum::<usize>();
                (
                    Node {
                        span: start..end.max(start),
                        kind: NodeKind::Sequence(items),
                        weight,
                    },
                    anchor,
                )
            }
            Frame::Map {
                start,
                anchor,
                entries,
                key,
            } => {
                let mut entries = entries;
                if let Some(key) = key {
                    // A key whose value never came (the document was cut short).
                    let at = key.span.end;
                    entries.push(Entry {
                        key,
                        value: null_node(at),
                    });
                }
                let entries = super::tree::exact(self.merge_keys(entries));
                self.check_duplicates(&entries);
                let weight = 1 + entries
                    .iter()
                    .map(|e| e.key.weight + e.value.weight)
                    .sum::<usize>();
                (
                    Node {
                        span: start..end.max(start),
                        kind: NodeKind::Mapping(entries),
                        weight,
                    },
                    anchor,
                )
            }
        };
        self.finish_node(node, anchor);
    }

    /// Close every open collection at `at`, keeping what was read so far.
    fn close_all(&mut self, at: usize) {
        while !self.stack.is_empty() {
            self.pop(at);
        }
    }

    fn finish_node(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.indirect = true;
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    if node.scalar().is_none() {
                        self.errors.push(SyntaxError {
                            span: node.span.clone(),
                            kind: SyntaxErrorKind::NonScalarKey,
                            message: "Mapping keys in a template must be plain strings".into(),
                            related: None,
                        });
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
    }

    fn alias(&mut self, id: usize, span: Span) {
        self.indirect = true;
        let node = match self.anchors.get(&id) {
            None => {
                self.errors.push(SyntaxError {
                    span: span.clone(),
                    kind: SyntaxErrorKind::UnknownAnchor,
                    message: "Alias to an anchor that is not defined".into(),
                    related: None,
                });
                null_node(span.start)
            }
            Some(target) if target.weight > self.alias_budget => {
                self.errors.push(SyntaxError {
                    span: span.clone(),
                    kind: SyntaxErrorKind::AliasBudget,
                    message: "Aliases expand to too large a document; the expansion stops here"
                        .into(),
                    related: None,
                });
                self.alias_budget = 0;
                null_node(span.start)
            }
            Some(target) => {
                self.alias_budget -= target.weight;
                target.clone()
            }
        };
        self.finish_node(node, 0);
    }

    /// Resolve `<<` merge keys: entries of the merged mappings that the mapping
    /// does not define itself are added after its own entries.
    fn merge_keys(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        let is_merge = |e: &Entry| {
            e.key
                .scalar()
                .is_some_and(|s| s.value == "<<" && s.style == ScalarStyle::Plain)
        };
        if !entries.iter().any(is_merge) {
            return entries;
        }
        self.indirect = true;
        let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge);
        for merge in merges {
            let sources: Vec<Node> = match merge.value.kind {
                NodeKind::Mapping(_) => vec![merge.value],
                NodeKind::Sequence(items) => items,
                NodeKind::Scalar(_) => Vec::new(),
            };
            for source in sources {
                if let NodeKind::Mapping(merged) = source.kind {
                    for e in merged {
                        let present = own.iter().any(|o| o.key.as_str() == e.key.as_str());
                        if !present {
                            own.push(e);
                        }
                    }
                }
            }
        }
        own
    }

    fn check_duplicates(&mut self, entries: &[Entry]) {
        if entries.len() < 2 {
            return;
        }
        let mut report = |first: &Span, dup: &Entry, k: &str| {
            if *first != dup.key.span {
                self.errors.push(SyntaxError {
                    span: dup.key.span.clone(),
                    kind: SyntaxErrorKind::DuplicateKey,
                    message: format!("Duplicate key `{k}`; a mapping may define each key once"),
                    related: Some(first.clone()),
                });
            }
        };
        // Most mappings are small: pairwise comparison beats hashing.
        if entries.len() <= 16 {
            for (i, e) in entries.iter().enumerate() {
                let Some(k) = e.key.as_str() else { continue };
                if let Some(first) = entries[..i].iter().find(|p| p.key.as_str() == Some(k)) {
                    report(&first.key.span, e, k);
                }
            }
            return;
        }
        let mut seen: HashMap<&str, &Span> = HashMap::new();
        for e in entries {
            let Some(k) = e.key.as_str() else { continue };
            match seen.get(k) {
                Some(first) => report(first, e, k),
                None => {
                    seen.insert(k, &e.key.span);
                }
            }
        }
    }
}

fn null_node(at: usize) -> Node {
    Node {
        span: at..at,
        kind: NodeKind::Scalar(Scalar {
            value: ScalarText::default(),
            style: ScalarStyle::Plain,
            tag: None,
        }),
        weight: 1,
    }
}

/// Where a document that must be JSON (a `.json` file) is not, though it
/// may be YAML: `#` comments, trailing commas, unquoted keys, block style.
/// `None` when it is JSON. Nesting past [`MAX_DEPTH`] is left to `parse`.
pub(crate) fn json_error(text: &str) -> Option<SyntaxError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let err = serde_json::from_str::<serde::de::IgnoredAny>(body).err()?;
    if err.to_string().contains("recursion limit") {
        return None;
    }
    // serde_json counts lines from 1 and bytes of the line from 1, at the
    // place where it stopped.
    let skipped = text.len() - body.len();
    let line_start = body
        .split_inclusive('\n')
        .take(err.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let mut at = (skipped + line_start + err.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let end = text[at..]
        .chars()
        .next()
        .filter(|c| *c != '\n' && *c != '\r')
        .map_or(at, |c| at + c.len_utf8());
    let detail = err.to_string();
    let detail = detail.split(" at line ").next().unwrap_or(&detail);
    Some(SyntaxError {
        span: at..end,
        kind: SyntaxErrorKind::Syntax,
        message: format!(
            "Not valid JSON ({detail}); a .json file must be plain JSON, without comments or \
             trailing commas. Fix the JSON here, or rename the file to .yaml to write YAML."
        ),
        related: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_byte_ranges() {
        let text = "\u{feff}é: \"a\\tb\"\nk: |\n  lit\n";
        let p = parse(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let root = p.root.unwrap();
        let v = root.get("é").unwrap();
        assert_eq!(&text[v.span.clone()], "\"a\\tb\"");
        assert_eq!(v.as_str(), Some("a\tb"));
        let lit = root.get("k").unwrap();
        assert_eq!(&text[lit.span.start..lit.span.start + 3], "lit");
    }

    #[test]
    fn a_tagged_scalar_starts_at_its_content() {
        let t = "a: !Sub |\n  x ${!H}\n  z\nb: !Sub 'q'\nc: !!str 5\nd: [!Ref R]\n";
        let r = parse(t).root.unwrap();
        let at = |k: &str| &t[r.get(k).unwrap().span.clone()];
        assert!(at("a").starts_with("x ${!H}"));
        assert_eq!(at("b"), "'q'");
        assert_eq!(at("c"), "5");
        let d = &r.get("d").unwrap().items().unwrap()[0];
        assert_eq!(&t[d.span.clone()], "R");
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_second() {
        let text = "a: 1\nb: 2\na: 3\n";
        let p = parse(text);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].kind, SyntaxErrorKind::DuplicateKey);
        assert_eq!(p.errors[0].span, 10..11);
        assert_eq!(p.errors[0].related, Some(0..1));
    }

    #[test]
    fn second_document_is_an_error() {
        let p = parse("a: 1\n---\nb: 2\n");
        assert!(
            p.errors
                .iter()
                .any(|e| e.kind == SyntaxErrorKind::MultipleDocuments)
        );
        assert!(p.root.unwrap().get("a").is_some());
    }

    #[test]
    fn merge_keys_and_aliases_resolve() {
        let p = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let root = p.root.unwrap();
        let used = root.get("use").unwrap();
        assert_eq!(used.get("x").and_then(Node::as_str), Some("1"));
        assert_eq!(used.get("y").and_then(Node::as_str), Some("3"));
    }

    #[test]
    fn alias_bomb_is_cut_off() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let p = parse(&text);
        assert!(
            p.errors
                .iter()
                .any(|e| e.kind == SyntaxErrorKind::AliasBudget)
        );
    }

    #[test]
    fn aliases_of_a_large_scalar_are_budgeted_by_bytes() {
        // 100 KB of text, used 10,000 times: 1 GB if every use were copied.
        let mut text = format!("big: &big '{}'\nuses:\n", "x".repeat(100_000));
        for _ in 0..10_000 {
            text.push_str("- *big\n");
        }
        let p = parse(&text);
        assert!(
            p.errors
                .iter()
                .any(|e| e.kind == SyntaxErrorKind::AliasBudget)
        );
        let copied: usize = p
            .root
            .as_ref()
            .and_then(|r| r.get("uses"))
            .and_then(|u| u.items())
            .map_or(0, |items| {
                items.iter().filter_map(Node::as_str).map(str::len).sum()
            });
        assert!(copied < 16 << 20, "{copied} bytes copied");
        // A few uses of a large scalar are fine.
        let few = format!(
            "big: &big '{}'\nuses: [*big, *big, *big]\n",
            "x".repeat(100_000)
        );
        assert!(parse(&few).errors.is_empty());
    }

    #[test]
    fn deep_nesting_stops_with_an_error() {
        let text = "[".repeat(100_000);
        let p = parse(&text);
        // The scanner's own recursion limit may fire before ours does.
        assert!(p.truncated);
        assert!(!p.errors.is_empty());
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let p = parse(&block);
        assert!(p.errors.iter().any(|e| e.kind == SyntaxErrorKind::TooDeep));
    }

    #[test]
    fn syntax_error_keeps_the_prefix() {
        let p = parse("a: 1\nb: [1, 2\nc: 3\n");
        assert!(p.truncated);
        assert!(p.root.unwrap().get("a").is_some());
    }

    #[test]
    fn json_parses_with_escapes() {
        let text = r#"{"a": "x\u00e9\n", "b": [1, 2.5, true, null]}"#;
        let p = parse(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let root = p.root.unwrap();
        assert_eq!(root.get("a").and_then(Node::as_str), Some("xé\n"));
    }
}
