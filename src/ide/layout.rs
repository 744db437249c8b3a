//! Where a new entry goes, read from the text the way a person reads YAML:
//! the column of the cursor (and of the `- ` on its line) decides which
//! mapping or list it belongs to, from the indentation of the lines above
//! and below. Nothing here needs the document to parse: an unclosed quote,
//! a half-typed `{{`, a tab or a key without a value elsewhere only affect
//! their own lines. Flow collections (`{a: 1, b: [x]}`) and JSON documents
//! are read with a bracket-and-comma reader instead.
//!
//! The result is a textual path (keys and list indexes) with, for each key
//! step, the keys and inline values of the mapping it is taken in — enough
//! for the schema table to say what belongs at the cursor.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use rustc_hash::FxHashMap;

use crate::analysis::path::{Path, Seg};
use crate::syntax::{Entry, Node, NodeKind, Scalar, ScalarStyle, Span};
use crate::text::LineIndex;

/// How an inserted key or value must be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A block mapping line: `key: value`.
    Block,
    /// Inside a YAML flow collection: `key: value` on one line.
    Flow,
    /// JSON: quoted keys and strings.
    Json,
}

#[derive(Debug)]
pub enum Slot {
    /// A key of the mapping at the end of the path, or (after `- `) an item
    /// of the list at the end of the path, which the schema decides.
    Entry {
        replace: Span,
        /// Column of the key (for multi-line snippets).
        column: usize,
        /// The mapping's other keys and their inline values.
        siblings: Node,
        /// The key being replaced already has its `:` (only the name is
        /// replaced).
        has_value: bool,
        /// The cursor line started a new list item (`- `).
        item: bool,
    },
    /// The value of the key (or list item) at the end of the path.
    Value {
        replace: Span,
        /// The cursor is inside quotes, which stay.
        quoted: bool,
    },
}

#[derive(Debug)]
pub struct Reading {
    pub path: Path,
    /// For each segment of `path`, the mapping or list it is taken in (only
    /// the keys and inline scalar values, which is what tags are read from).
    pub containers: Vec<Option<Node>>,
    pub slot: Slot,
    pub style: Style,
}

/// Reads the context at `offset`. `None` when the cursor is inside a scalar
/// (a quoted string, a block scalar, `{{ }}`), which the tree describes.
/// `index` is the text's line index.
///
/// The cost is that of the lines around the cursor and of the lines the
/// reading climbs through: its ancestors and, for a list item, the earlier
/// items of the list (counted for the index) and, for a key, the keys of its
/// mapping. Lines indented deeper than what is being looked for are passed
/// by without being tokenized. A document shaped so that this costs more
/// than a few passes over its text is read whole instead, as by [`full`].
pub fn read(text: &str, index: &LineIndex, offset: usize, json: bool) -> Option<Reading> {
    let offset = crate::text::floor_char_boundary(text, offset);
    if json || starts_with_flow(text) {
        let start = text.find(['{', '[']).filter(|s| *s <= offset)?;
        return flow(
            text,
            start,
            text.len(),
            offset,
            Path::default(),
            Vec::new(),
            json,
        );
    }
    let lines = Lines::new(text, index, offset);
    let reading = lines.read(offset);
    if lines.over() {
        return full::read(text, offset, json);
    }
    reading
}

fn starts_with_flow(text: &str) -> bool {
    for line in text.lines() {
        let t = line.trim_start_matches(['\u{feff}', ' ', '\t']);
        if t.is_empty() || t.starts_with('#') || t.starts_with("%") || t.starts_with("---") {
            continue;
        }
        return t.starts_with('{') || t.starts_with('[');
    }
    false
}

// ---------------------------------------------------------------- block lines

#[derive(Clone, Debug)]
struct KeyTok {
    col: usize,
    name: String,
    /// The value after `: `, without a trailing comment.
    value: Span,
}

#[derive(Clone, Debug, Default)]
struct Line {
    start: usize,
    end: usize,
    indent: usize,
    /// Blank, or only a comment.
    blank: bool,
    /// Part of a scalar or flow collection that an earlier line started.
    cont: bool,
    dashes: Vec<usize>,
    key: Option<KeyTok>,
    /// For a flow collection that starts on this line: where its bracket is
    /// and where its last line ends.
    flow: Option<(usize, usize)>,
    /// Where the content after the dashes starts.
    body: usize,
}

impl Line {
    /// The column of the first structural token (dash or key).
    fn first_col(&self) -> Option<usize> {
        self.dashes
            .first()
            .copied()
            .or_else(|| self.key.as_ref().map(|k| k.col))
    }
}

/// The document's lines, read lazily: a reading tokenizes only the lines it
/// visits, and whether a line continues a scalar or flow collection of an
/// earlier line is worked out from the lines it hangs from (see
/// [`Lines::owner`]), not by reading the document from its start.
struct Lines<'a> {
    text: &'a str,
    index: &'a LineIndex,
    cursor: usize,
    /// The line the cursor is on: the only one whose shape the cursor
    /// changes.
    cursor_line: usize,
    /// Memo: the nearest non-blank line above a line, less indented.
    parents: LineMemo,
    /// Memo: the line whose scalar or flow collection a line continues.
    owners: LineMemo,
    /// Memo: the nearest non-blank line above a line that is not indented
    /// more (all lines between are blank or indented more).
    above: LineMemo,
    /// Memo: for a line that leaves a flow collection or quote open, the
    /// last line that continues it and where that line ends.
    extents: RefCell<FxHashMap<usize, (usize, usize)>>,
    /// Memo: what a line that continues nothing leaves open.
    carries: RefCell<FxHashMap<usize, Carried>>,
    /// Bytes and lines examined so far, and how many may be before the
    /// reading gives up (then the document is read whole).
    spent: Cell<usize>,
    budget: usize,
}

fn col_of(text: &str, line_start: usize, at: usize) -> usize {
    let s = &text[line_start..at];
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Tokenizes one line: its dashes, its key and value.
fn tokenize(text: &str, start: usize, end: usize) -> Line {
    let s = &text[start..end];
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    let mut line = Line {
        start,
        end,
        indent: col_of(text, start, start + i),
        ..Line::default()
    };
    // A tab in the indentation is not YAML: such a line says nothing about
    // the structure (a person cannot tell its column either).
    if i >= b.len() || b[i] == b'#' || b[..i].contains(&b'\t') {
        line.blank = true;
        return line;
    }
    loop {
        if b[i] == b'-' && (i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t') {
            line.dashes.push(col_of(text, start, start + i));
            i += 1;
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            if i >= b.len() {
                line.body = start + i;
                return line;
            }
            continue;
        }
        break;
    }
    line.body = start + i;
    if let Some((name, colon)) = key_at(s, i) {
        let mut v = colon + 1;
        while v < b.len() && (b[v] == b' ' || b[v] == b'\t') {
            v += 1;
        }
        let vend = value_end(s, v);
        line.key = Some(KeyTok {
            col: col_of(text, start, start + i),
            name,
            value: start + v..start + vend,
        });
    }
    line
}

/// A key starting at byte `i` of the line `s`: its name and the index of
/// its `:`.
fn key_at(s: &str, i: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let after_colon = |j: usize| j + 1 >= b.len() || matches!(b[j + 1], b' ' | b'\t');
    match b.get(i)? {
        q @ (b'"' | b'\'') => {
            let mut j = i + 1;
            while j < b.len() {
                if b[j] == b'\\' && *q == b'"' {
                    j += 2;
                    continue;
                }
                if b[j] == *q {
                    if *q == b'\'' && b.get(j + 1) == Some(&b'\'') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            let name = s.get(i + 1..j.min(b.len()))?.to_string();
            let mut k = j + 1;
            while k < b.len() && b[k] == b' ' {
                k += 1;
            }
            (b.get(k) == Some(&b':') && after_colon(k)).then_some((name, k))
        }
        b'[' | b'{' | b'|' | b'>' | b'#' | b'*' | b'!' | b'&' | b'%' | b'@' | b'`' => None,
        _ => {
            let mut j = i;
            while j < b.len() {
                if b[j] == b':' && after_colon(j) {
                    return Some((s[i..j].trim_end().to_string(), j));
                }
                if b[j] == b'#' && j > i && matches!(b[j - 1], b' ' | b'\t') {
                    return None;
                }
                j += 1;
            }
            None
        }
    }
}

/// End of a value starting at `v`: before a ` #` comment outside quotes,
/// without trailing spaces.
fn value_end(s: &str, v: usize) -> usize {
    let b = s.as_bytes();
    let mut quote: Option<u8> = None;
    let mut j = v;
    let mut end = v;
    while j < b.len() {
        let c = b[j];
        match quote {
            Some(b'"') if c == b'\\' => j += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => {
                if (c == b'"' || c == b'\'')
                    && (j == v || matches!(b[j - 1], b' ' | b'[' | b'{' | b','))
                {
                    quote = Some(c);
                } else if c == b'#' && j > v && matches!(b[j - 1], b' ' | b'\t') {
                    break;
                }
            }
        }
        if !matches!(c, b' ' | b'\t') {
            end = j + 1;
        }
        j += 1;
    }
    end.min(b.len())
}

/// Brackets and quotes still open after reading `s` in flow context.
#[derive(Clone, Debug, Default)]
struct FlowState {
    quote: Option<u8>,
    depth: usize,
}

impl FlowState {
    fn feed(&mut self, s: &str) {
        let b = s.as_bytes();
        let mut j = 0;
        while j < b.len() {
            let c = b[j];
            match self.quote {
                Some(b'"') if c == b'\\' => j += 1,
                Some(b'\'') if c == b'\'' && b.get(j + 1) == Some(&b'\'') => j += 1,
                Some(q) if c == q => self.quote = None,
                Some(_) => {}
                None => match c {
                    b'"' | b'\'' => self.quote = Some(c),
                    b'[' | b'{' => self.depth += 1,
                    b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                    b'#' if j == 0 || matches!(b[j - 1], b' ' | b'\t') => return,
                    _ => {}
                },
            }
            j += 1;
        }
    }
    fn open(&self) -> bool {
        self.quote.is_some() || self.depth > 0
    }
}

/// A line number (or none) per line, for the lines a reading visits: a
/// reading of a list item visits every earlier item, which can be tens of
/// thousands. The table is allocated zeroed, so only the pages of the lines
/// visited are ever touched.
#[derive(Default)]
struct LineMemo(RefCell<Vec<u32>>);

impl LineMemo {
    fn get(&self, n: usize) -> Option<Option<usize>> {
        match self.0.borrow().get(n).copied() {
            None | Some(0) => None,
            Some(1) => Some(None),
            Some(k) => Some(Some(k as usize - 2)),
        }
    }

    /// Remembers `value` for line `n` of `count` (not at all when line
    /// numbers do not fit the table).
    fn set(&self, n: usize, count: usize, value: Option<usize>) {
        let Ok(code) = u32::try_from(value.map_or(1, |v| v + 2)) else {
            return;
        };
        let mut table = self.0.borrow_mut();
        if table.is_empty() {
            *table = vec![0; count];
        }
        if let Some(slot) = table.get_mut(n) {
            *slot = code;
        }
    }
}

/// What a line that continues nothing starts for the lines after it.
enum Opens {
    Nothing,
    /// Lines indented more than this column continue a scalar.
    Scalar(usize),
    /// Lines indented more than this column continue the flow collection or
    /// quoted scalar, as long as it stays open.
    Open(usize, FlowState),
}

/// [`Opens`] without the state of the flow collection.
#[derive(Clone, Copy)]
enum Carried {
    Nothing,
    Scalar(usize),
    Open(usize),
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, index: &'a LineIndex, cursor: usize) -> Lines<'a> {
        Lines {
            text,
            index,
            cursor,
            cursor_line: index.line_of(cursor.min(text.len())),
            parents: LineMemo::default(),
            owners: LineMemo::default(),
            above: LineMemo::default(),
            extents: RefCell::default(),
            carries: RefCell::default(),
            spent: Cell::new(0),
            budget: text.len().saturating_mul(4).saturating_add(1 << 16),
        }
    }

    fn spend(&self, units: usize) {
        self.spent.set(self.spent.get().saturating_add(units));
    }

    /// Whether this reading has examined more than its budget: what it
    /// found is then not used.
    fn over(&self) -> bool {
        self.spent.get() > self.budget
    }

    fn count(&self) -> usize {
        self.index.line_count()
    }

    /// The cursor's line counts as indented to the cursor when it is blank
    /// before it.
    fn at_cursor(&self, start: usize, end: usize, indent: &mut usize, blank: &mut bool) {
        let cursor = self.cursor;
        if start <= cursor && cursor <= end && self.text[start..cursor].trim().is_empty() {
            let c = col_of(self.text, start, cursor);
            if *blank || c < *indent {
                *indent = c;
                *blank = false;
            }
        }
    }

    /// A line's indentation and whether it is blank (as [`tokenize`] and
    /// the cursor see it), without tokenizing it.
    fn shape(&self, n: usize) -> (usize, bool) {
        let b = self.text.as_bytes();
        let start = self.index.line_start(n);
        let mut i = start;
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        // Indentation is spaces and tabs: its column is its length.
        let mut indent = i - start;
        self.spend(indent + 1);
        let mut blank =
            i >= b.len() || matches!(b[i], b'\n' | b'\r' | b'#') || b[start..i].contains(&b'\t');
        if n == self.cursor_line {
            let end = self.index.line_range(self.text, n).end;
            self.at_cursor(start, end, &mut indent, &mut blank);
        }
        (indent, blank)
    }

    /// Whether line `n` is blank or indented more than `col`: every walk
    /// below passes such a line by.
    fn beyond(&self, n: usize, col: usize) -> bool {
        let b = self.text.as_bytes();
        let start = self.index.line_start(n);
        self.spend(col + 2);
        if n != self.cursor_line
            && let Some(head) = b.get(start..=start + col)
            && head.iter().all(|c| matches!(c, b' ' | b'\t'))
        {
            return true;
        }
        let (indent, blank) = self.shape(n);
        blank || indent > col
    }

    /// Line `n` tokenized, before knowing whether it continues an earlier
    /// line.
    fn tokens(&self, n: usize) -> Line {
        let r = self.index.line_range(self.text, n);
        self.spend(r.len() + 1);
        let mut line = tokenize(self.text, r.start, r.end);
        let (mut indent, mut blank) = (line.indent, line.blank);
        self.at_cursor(r.start, r.end, &mut indent, &mut blank);
        (line.indent, line.blank) = (indent, blank);
        line
    }

    /// Line `n` tokenized, with whether it continues an earlier line and,
    /// when it opens a flow collection, where that collection ends.
    fn line(&self, n: usize) -> Line {
        let mut line = self.tokens(n);
        line.cont = self.owner(n).is_some();
        if !line.cont && !line.blank {
            let (opens, bracket) = self.opens(&line);
            if let Some(b) = bracket {
                let end = match opens {
                    Opens::Open(..) => self.extent(n).1,
                    _ => line.end,
                };
                line.flow = Some((b, end));
            }
        }
        line
    }

    /// What a line that continues nothing leaves open, and the bracket of
    /// the flow collection it starts.
    fn opens(&self, line: &Line) -> (Opens, Option<usize>) {
        let text = self.text;
        let (start, end) = (line.start, line.end);
        let (p, value) = match &line.key {
            Some(k) => (k.col, k.value.clone()),
            None => match line.dashes.last() {
                Some(d) => (
                    *d,
                    line.body..start + value_end(&text[start..end], line.body - start),
                ),
                None => (line.indent, line.body..end),
            },
        };
        let v = &text[value.clone()];
        if v.is_empty() {
            (Opens::Nothing, None)
        } else if v.starts_with('|') || v.starts_with('>') {
            (Opens::Scalar(p), None)
        } else if v.starts_with(['[', '{', '"', '\'']) && !v.starts_with("{{") {
            let mut st = FlowState::default();
            st.feed(v);
            let bracket = v.starts_with(['[', '{']).then_some(value.start);
            if st.open() {
                (Opens::Open(p, st), bracket)
            } else {
                (Opens::Nothing, bracket)
            }
        } else {
            (Opens::Scalar(p), None)
        }
    }

    /// What line `y`, which continues nothing, leaves open.
    fn carried(&self, y: usize) -> Carried {
        if let Some(c) = self.carries.borrow().get(&y) {
            return *c;
        }
        let c = match self.opens(&self.tokens(y)).0 {
            Opens::Nothing => Carried::Nothing,
            Opens::Scalar(p) => Carried::Scalar(p),
            Opens::Open(p, _) => Carried::Open(p),
        };
        self.carries.borrow_mut().insert(y, c);
        c
    }

    /// For line `o`, which continues nothing: the last line that continues
    /// the flow collection or quote it leaves open (`o` itself when none
    /// does), and where that line ends.
    fn extent(&self, o: usize) -> (usize, usize) {
        if let Some(e) = self.extents.borrow().get(&o) {
            return *e;
        }
        let first = self.tokens(o);
        let mut last = (o, first.end);
        if let (Opens::Open(p, mut st), _) = self.opens(&first) {
            for n in o + 1..self.count() {
                if self.over() {
                    break;
                }
                let (indent, blank) = self.shape(n);
                if !(blank || indent > p) {
                    break;
                }
                let r = self.index.line_range(self.text, n);
                self.spend(r.len());
                st.feed(&self.text[r.clone()]);
                last = (n, r.end);
                if !st.open() {
                    break;
                }
            }
        }
        self.extents.borrow_mut().insert(o, last);
        last
    }

    /// The nearest non-blank line above `n` that is less indented.
    fn parent(&self, n: usize) -> Option<usize> {
        if let Some(p) = self.parents.get(n) {
            return p;
        }
        let d = self.shape(n).0;
        // Lines at the same indentation on the way share the answer.
        let mut same = vec![n];
        let mut m = n;
        // The line the search stopped at, less indented or one at the same
        // indentation already searched from (none at the top).
        let (found, stop) = loop {
            if self.over() {
                return None;
            }
            if m == 0 {
                break (None, None);
            }
            m -= 1;
            if self.beyond(m, d) {
                continue;
            }
            let (indent, blank) = self.shape(m);
            if blank {
                continue;
            }
            if indent < d {
                break (Some(m), Some(m));
            }
            if let Some(p) = self.parents.get(m) {
                break (p, Some(m));
            }
            same.push(m);
        };
        let count = self.count();
        for (i, s) in same.iter().enumerate() {
            self.parents.set(*s, count, found);
            self.above.set(*s, count, same.get(i + 1).copied().or(stop));
        }
        found
    }

    /// The line whose scalar, flow collection or quote line `n` continues,
    /// if any. Whatever is open before a line was opened by a line less
    /// indented than it (or, for a blank line, by the lines before it):
    /// each line is read from its parent, up to a line at column 0 or one
    /// already read, never from the start of the document.
    fn owner(&self, n: usize) -> Option<usize> {
        // Each link: a line, the line whose state it is read from, and the
        // line's indentation when it must be indented past the owner.
        let mut chain: Vec<(usize, usize, Option<usize>)> = Vec::new();
        let (indent, blank) = self.shape(n);
        if indent == 0 && !blank {
            return None;
        }
        let mut x = n;
        let mut known = loop {
            if self.over() {
                return None;
            }
            if let Some(o) = self.owners.get(x) {
                break o;
            }
            let (indent, blank) = self.shape(x);
            let from = if blank {
                x.checked_sub(1).map(|y| (y, None))
            } else if indent == 0 {
                None
            } else {
                self.parent(x).map(|y| (y, Some(indent)))
            };
            let Some((y, past)) = from else {
                self.owners.set(x, self.count(), None);
                break None;
            };
            chain.push((x, y, past));
            x = y;
        };
        while let Some((x, y, past)) = chain.pop() {
            known = self.continued(x, y, past, known);
            self.owners.set(x, self.count(), known);
        }
        known
    }

    /// The owner line `x` continues, given that the lines between `y` and
    /// `x` continue whatever is open after `y` (whose own owner is
    /// `owner_y`), and that `x` is indented to `past` when that matters.
    fn continued(
        &self,
        x: usize,
        y: usize,
        past: Option<usize>,
        owner_y: Option<usize>,
    ) -> Option<usize> {
        let beyond = |p: usize| past.is_none_or(|d| p < d);
        match owner_y {
            Some(o) => match self.carried(o) {
                Carried::Open(..) => (x <= self.extent(o).0).then_some(o),
                _ => Some(o),
            },
            None => {
                if self.shape(y).1 {
                    return None;
                }
                match self.carried(y) {
                    Carried::Nothing => None,
                    Carried::Scalar(p) => beyond(p).then_some(y),
                    Carried::Open(p) => (beyond(p) && x <= self.extent(y).0).then_some(y),
                }
            }
        }
    }

    fn read(&self, offset: usize) -> Option<Reading> {
        let text = self.text;
        let at = self.index.line_of(offset);
        let line = self.line(at);
        // Between a `\r` and its `\n`: the end of the line.
        let offset = offset.min(line.end);
        if line.cont {
            // Inside a flow collection that an earlier line opened?
            let owner = self.owner(at)?;
            let opened = self.line(owner).flow;
            return match opened {
                Some((s, e)) if s < offset && offset <= e => self.in_flow(owner, offset),
                _ => None,
            };
        }
        if let Some((s, e)) = line.flow
            && s < offset
            && offset <= e
        {
            return self.in_flow(at, offset);
        }
        read_line(self, text, at, &line, offset)
    }

    /// The path to the mapping whose keys sit at `col` on line `at`, after
    /// the `dashes` of that line.
    fn ancestors(&self, at: usize, col: usize, dashes: &[usize]) -> (Path, Vec<Option<Node>>) {
        let mut found: Vec<Ancestor> = Vec::new();
        // The column of the innermost entry whose parent is sought; when it
        // is a list item (`pending_dash`) a key at the same column may hold
        // the list, and dashes at that column are earlier items.
        let (mut limit, mut pending_dash) = match dashes.first() {
            Some(d) => (*d, true),
            None => (col, false),
        };
        let mut count = 0;
        let mut next = at;
        while next > 0 {
            let n = next - 1;
            next = n;
            if self.over() {
                break;
            }
            if limit == 0 && !pending_dash {
                break;
            }
            if self.beyond(n, limit) || self.owner(n).is_some() {
                continue;
            }
            // Unless the column looked for ends up right of this line, the
            // lines up to the next one not indented more than it are passed
            // by: go straight there when it is known.
            let indent = self.shape(n).0;
            let jump = self.above.get(n);
            'line: {
                // A line that starts with a dash at `limit` is one more earlier
                // item when an item is pending, and nothing else: its key, if
                // any, is further right.
                if n != self.cursor_line {
                    let start = self.index.line_start(n);
                    let b = &self.text.as_bytes()[start..];
                    if b.get(limit) == Some(&b'-')
                        && b.get(limit + 1)
                            .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
                        && b[..limit].iter().all(|c| *c == b' ')
                    {
                        if pending_dash {
                            count += 1;
                        }
                        break 'line;
                    }
                }
                let l = self.tokens(n);
                if let Some(k) = &l.key
                    && (k.col < limit || (k.col == limit && pending_dash))
                {
                    if pending_dash {
                        found.push(Ancestor::Index(count));
                    }
                    found.push(Ancestor::Key(n, k.col));
                    limit = k.col;
                    pending_dash = false;
                    count = 0;
                }
                for d in l.dashes.iter().rev() {
                    if *d < limit {
                        if pending_dash {
                            found.push(Ancestor::Index(count));
                        }
                        limit = *d;
                        pending_dash = true;
                        count = 0;
                    } else if *d == limit && pending_dash {
                        count += 1;
                    }
                }
            }
            if limit <= indent
                && let Some(above) = jump
            {
                next = above.map_or(0, |a| a + 1);
            }
        }
        if pending_dash {
            found.push(Ancestor::Index(count));
        }
        found.reverse();
        ancestry(self, &found, dashes)
    }
}
/// Length of the key or value word starting `s`.
/// What reading the cursor's line asks of the lines around it: the windowed
/// reader and the whole-document one ([`full`]) each answer it their way.
trait Surroundings {
    fn text(&self) -> &str;
    /// Line `n` with what earlier lines say of it (continuation, the extent
    /// of a flow collection it opens).
    fn line(&self, n: usize) -> Cow<'_, Line>;
    /// Line `n` tokenized on its own (its key, its dashes).
    fn tokens(&self, n: usize) -> Cow<'_, Line>;
    /// How many lines there are.
    fn count(&self) -> usize;
    /// Line `n` as a search for the entries at `col` meets it.
    fn visit(&self, n: usize, col: usize) -> Visit<'_>;
    fn ancestors(&self, at: usize, col: usize, dashes: &[usize]) -> (Path, Vec<Option<Node>>);
    /// The mapping entries at `col` around line `at` (excluded): upwards
    /// unless `below_only`, and downwards.
    fn siblings(&self, at: usize, col: usize, below_only: bool) -> Node {
        // A key after a `- ` is the first of its mapping.
        let below_only = below_only || self.tokens(at).dashes.first().is_some_and(|d| *d < col);
        let mut entries = Vec::new();
        let mut push = |k: &KeyTok| {
            entries.push(Entry {
                key: scalar(&k.name),
                value: scalar(self.text()[k.value.clone()].trim_matches(['"', '\''])),
            });
        };
        if !below_only {
            for n in (0..at).rev() {
                let l = match self.visit(n, col) {
                    Visit::Stop => break,
                    Visit::PassBy => continue,
                    Visit::Look(l) => l,
                };
                let Some(first) = l.first_col() else {
                    if l.indent < col {
                        break;
                    }
                    continue;
                };
                if first > col {
                    continue;
                }
                if first == col {
                    if l.dashes.is_empty()
                        && let Some(k) = &l.key
                    {
                        push(k);
                    }
                    continue;
                }
                // Less indented: the line that starts this mapping, which
                // holds its first key after a `- `.
                if let Some(k) = &l.key
                    && k.col == col
                {
                    push(k);
                }
                break;
            }
        }
        for n in at + 1..self.count() {
            let l = match self.visit(n, col) {
                Visit::Stop => break,
                Visit::PassBy => continue,
                Visit::Look(l) => l,
            };
            let first = l.first_col().unwrap_or(l.indent);
            if first > col {
                continue;
            }
            if first < col {
                break;
            }
            if l.dashes.is_empty()
                && let Some(k) = &l.key
            {
                push(k);
            }
        }
        mapping(entries)
    }

    /// The flow collection opened on line `owner`, read up to `offset`.
    fn in_flow(&self, owner: usize, offset: usize) -> Option<Reading> {
        let l = self.line(owner);
        let (start, end) = l.flow?;
        let (path, containers) = match &l.key {
            Some(k) => {
                let (mut path, mut containers) = self.ancestors(owner, k.col, &l.dashes);
                containers.push(Some(self.siblings(owner, k.col, !l.dashes.is_empty())));
                path.push_owned_key(&k.name);
                (path, containers)
            }
            None => self.ancestors(
                owner,
                l.dashes.last().map_or(l.indent, |d| d + 2),
                &l.dashes,
            ),
        };
        flow(self.text(), start, end, offset, path, containers, false)
    }
}

/// What a search for a mapping's entries does with a line.
enum Visit<'a> {
    /// Stop searching (the reading's budget is spent).
    Stop,
    /// Pass it by: blank, continuing an earlier line, or indented past the
    /// column searched.
    PassBy,
    /// Look at its tokens.
    Look(Cow<'a, Line>),
}

/// A step of the path to the cursor's mapping, found looking upwards.
enum Ancestor {
    /// A key, its line and column.
    Key(usize, usize),
    Index(usize),
}

/// The path and containers of the `found` ancestors (outermost first),
/// then the lists the inner `dashes` of the cursor's line start.
fn ancestry(
    around: &impl Surroundings,
    found: &[Ancestor],
    dashes: &[usize],
) -> (Path, Vec<Option<Node>>) {
    let mut path = Path::default();
    let mut containers = Vec::new();
    for a in found {
        match a {
            Ancestor::Key(line, col) => {
                let tokens = around.tokens(*line);
                let Some(k) = &tokens.key else {
                    continue;
                };
                let mut siblings = around.siblings(*line, *col, false);
                if let NodeKind::Mapping(e) = &mut siblings.kind {
                    e.push(Entry {
                        key: scalar(&k.name),
                        value: scalar(around.text()[k.value.clone()].trim_matches(['"', '\''])),
                    });
                }
                containers.push(Some(siblings));
                path.0.push(Seg::Key(Cow::Owned(k.name.clone())));
            }
            Ancestor::Index(i) => {
                containers.push(None);
                path.push_index(*i);
            }
        }
    }
    for _ in dashes.iter().skip(1) {
        containers.push(None);
        path.push_index(0);
    }
    (path, containers)
}

/// The reading at `offset` on line `at` (`line`), in block style: the
/// cursor is not inside a flow collection.
fn read_line(
    around: &impl Surroundings,
    text: &str,
    at: usize,
    line: &Line,
    offset: usize,
) -> Option<Reading> {
    let prefix = &text[line.start..offset];
    let suffix = &text[offset..line.end];
    // Dashes before the cursor.
    let pb = prefix.as_bytes();
    let mut i = 0;
    let mut dashes = Vec::new();
    loop {
        while i < pb.len() && matches!(pb[i], b' ' | b'\t') {
            i += 1;
        }
        if i < pb.len() && pb[i] == b'-' && (i + 1 == pb.len() || matches!(pb[i + 1], b' ' | b'\t'))
        {
            dashes.push(col_of(text, line.start, line.start + i));
            i += 1;
            continue;
        }
        break;
    }
    let rest = &prefix[i..];
    let rest_start = line.start + i;
    if rest.contains(": ") || rest.contains(":\t") || rest.ends_with(':') {
        // After `key:` on this line: its value.
        let k = line.key.as_ref()?;
        if offset < k.value.start && !rest.ends_with(':') {
            return None;
        }
        if rest.ends_with(':') {
            return None;
        }
        let v = &text[k.value.start.min(offset)..offset];
        if v.starts_with("{{") {
            return None;
        }
        if v.starts_with('[') || v.starts_with('{') {
            return around.in_flow(at, offset);
        }
        if v.starts_with(['"', '\'', '|', '>', '&', '*', '!'])
            || v.contains("{{")
            || v.contains(' ')
        {
            return None;
        }
        let (path, containers) = around.ancestors(at, k.col, &dashes);
        let mut path = path;
        let mut containers = containers;
        containers.push(Some(around.siblings(at, k.col, !dashes.is_empty())));
        path.push_owned_key(&k.name);
        return Some(Reading {
            path,
            containers,
            slot: Slot::Value {
                replace: k.value.start.min(offset)..offset + word_len(suffix),
                quoted: false,
            },
            style: Style::Block,
        });
    }
    if rest.starts_with(['"', '\'', '{', '[', '|', '>', '#', '&', '*', '!']) || rest.contains(' ') {
        if rest.starts_with(['[', '{']) && !dashes.is_empty() {
            return around.in_flow(at, offset);
        }
        return None;
    }
    // A `{{` glued to the text before it (`- --frame={{Task.`) is inside a
    // plain scalar, as after `key: ` above: not a key being typed.
    if rest.contains("{{") {
        return None;
    }
    // A key (or list item) being started at the cursor's column.
    let column = col_of(text, line.start, rest_start);
    let tail = word_len(suffix);
    let has_value = suffix[tail..]
        .trim_start_matches([' ', '\t'])
        .starts_with(':')
        && line.key.is_some();
    let (path, containers) = around.ancestors(at, column, &dashes);
    let siblings = around.siblings(at, column, !dashes.is_empty());
    Some(Reading {
        path,
        containers,
        slot: Slot::Entry {
            replace: rest_start..offset + tail,
            column,
            siblings,
            has_value,
            item: !dashes.is_empty(),
        },
        style: Style::Block,
    })
}
impl Surroundings for Lines<'_> {
    fn text(&self) -> &str {
        self.text
    }
    fn line(&self, n: usize) -> Cow<'_, Line> {
        Cow::Owned(Lines::line(self, n))
    }
    fn tokens(&self, n: usize) -> Cow<'_, Line> {
        Cow::Owned(Lines::tokens(self, n))
    }
    fn ancestors(&self, at: usize, col: usize, dashes: &[usize]) -> (Path, Vec<Option<Node>>) {
        Lines::ancestors(self, at, col, dashes)
    }
    fn count(&self) -> usize {
        Lines::count(self)
    }
    fn visit(&self, n: usize, col: usize) -> Visit<'_> {
        if self.over() {
            Visit::Stop
        } else if self.beyond(n, col) || self.owner(n).is_some() {
            Visit::PassBy
        } else {
            Visit::Look(Cow::Owned(Lines::tokens(self, n)))
        }
    }
}

fn word_len(s: &str) -> usize {
    s.find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | ']' | '}' | '#' | '"' | '\''))
        .unwrap_or(s.len())
}

fn scalar(value: &str) -> Node {
    Node {
        span: 0..0,
        kind: NodeKind::Scalar(Scalar {
            value: value.into(),
            style: ScalarStyle::Plain,
            tag: None,
        }),
        weight: 1,
    }
}

fn mapping(entries: Vec<Entry>) -> Node {
    Node {
        span: 0..0,
        weight: entries.len() * 2 + 1,
        kind: NodeKind::Mapping(entries),
    }
}

// ---------------------------------------------------------------- flow reader

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Key,
    Colon,
    Value,
    Comma,
}

#[derive(Debug)]
struct Frame {
    map: bool,
    expect: Expect,
    index: usize,
    key: Option<String>,
    entries: Vec<Entry>,
}

impl Frame {
    fn new(map: bool) -> Frame {
        Frame {
            map,
            expect: if map { Expect::Key } else { Expect::Value },
            index: 0,
            key: None,
            entries: Vec::new(),
        }
    }
}

#[derive(Debug)]
enum Tok {
    Open(bool),
    Close,
    Comma,
    Colon,
    /// A scalar: its span (quotes included), its value, whether quoted.
    Scalar(Span, String),
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    end: usize,
    json: bool,
}

impl Scanner<'_> {
    fn next(&mut self) -> Option<(usize, Tok)> {
        let b = self.text.as_bytes();
        while self.pos < self.end {
            let c = b[self.pos];
            if c.is_ascii_whitespace() {
                self.pos += 1;
                continue;
            }
            if c == b'#' && !self.json {
                while self.pos < self.end && b[self.pos] != b'\n' {
                    self.pos += 1;
                }
                continue;
            }
            break;
        }
        if self.pos >= self.end {
            return None;
        }
        let start = self.pos;
        let c = b[start];
        let tok = match c {
            b'{' | b'[' => {
                self.pos += 1;
                Tok::Open(c == b'{')
            }
            b'}' | b']' => {
                self.pos += 1;
                Tok::Close
            }
            b',' => {
                self.pos += 1;
                Tok::Comma
            }
            b':' => {
                self.pos += 1;
                Tok::Colon
            }
            b'"' | b'\'' => {
                let mut j = start + 1;
                let mut value = String::new();
                let mut closed = false;
                while j < self.end {
                    let d = b[j];
                    // An unclosed quote (one being typed) ends with its line.
                    if d == b'\n' || d == b'\r' {
                        break;
                    }
                    if d == b'\\' && c == b'"' {
                        j += 2;
                        continue;
                    }
                    if d == c {
                        if c == b'\'' && b.get(j + 1) == Some(&b'\'') {
                            j += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    j += 1;
                }
                let inner_end = j.min(self.end);
                value.push_str(self.text.get(start + 1..inner_end).unwrap_or(""));
                self.pos = if closed { j + 1 } else { inner_end };
                Tok::Scalar(start..self.pos, value)
            }
            _ => {
                let mut j = start;
                while j < self.end {
                    let d = b[j];
                    if matches!(d, b',' | b'[' | b']' | b'{' | b'}') {
                        break;
                    }
                    if d == b':'
                        && (j + 1 >= self.end
                            || matches!(
                                b[j + 1],
                                b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}'
                            ))
                    {
                        break;
                    }
                    if d == b'#' && j > start && matches!(b[j - 1], b' ' | b'\t') {
                        break;
                    }
                    if d == b'\n' || d == b'\r' {
                        break;
                    }
                    j += 1;
                }
                self.pos = j.max(start + 1);
                let v = self.text[start..self.pos].trim_end().to_string();
                Tok::Scalar(start..start + v.len(), v)
            }
        };
        Some((start, tok))
    }
}

/// Reads the flow collection (or JSON document) whose first bracket is at
/// `start`, up to `offset`, and on to `end` to see the keys after it.
fn flow(
    text: &str,
    start: usize,
    end: usize,
    offset: usize,
    mut path: Path,
    mut containers: Vec<Option<Node>>,
    json: bool,
) -> Option<Reading> {
    let style = if json { Style::Json } else { Style::Flow };
    let mut sc = Scanner {
        text,
        pos: start,
        end,
        json,
    };
    let mut frames: Vec<Frame> = Vec::new();
    // The scalar the cursor is in (or at either end of).
    let mut token: Option<Span> = None;
    loop {
        let save = sc.pos;
        let Some((ts, tok)) = sc.next() else {
            break;
        };
        // A cursor before a token's first character is between entries.
        if let Tok::Scalar(span, ..) = &tok
            && span.start < offset
            && offset <= span.end
        {
            token = Some(span.clone());
            break;
        }
        if ts >= offset {
            sc.pos = save;
            break;
        }
        match tok {
            Tok::Open(map) => frames.push(Frame::new(map)),
            Tok::Close => {
                frames.pop();
                match frames.last_mut() {
                    Some(f) => f.expect = Expect::Comma,
                    // The collection closed before the cursor.
                    None => return None,
                }
            }
            Tok::Comma => {
                if let Some(f) = frames.last_mut() {
                    if f.map {
                        f.expect = Expect::Key;
                        f.key = None;
                    } else {
                        f.index += 1;
                        f.expect = Expect::Value;
                    }
                }
            }
            Tok::Colon => {
                if let Some(f) = frames.last_mut() {
                    f.expect = Expect::Value;
                }
            }
            Tok::Scalar(_, value) => {
                if let Some(f) = frames.last_mut() {
                    if f.map && f.expect == Expect::Key {
                        f.key = Some(value.clone());
                        f.entries.push(Entry {
                            key: scalar(&value),
                            value: scalar(""),
                        });
                        f.expect = Expect::Colon;
                    } else {
                        if f.map
                            && f.expect == Expect::Value
                            && let Some(e) = f.entries.last_mut()
                        {
                            e.value = scalar(&value);
                        }
                        f.expect = Expect::Comma;
                    }
                }
            }
        }
    }
    let depth = frames.len();
    if depth == 0 {
        return None;
    }
    // Keys after the cursor, in the frames open at the cursor (the tags of
    // outer mappings may come after the cursor).
    let mut level = depth;
    // Frames at levels above `floor` were opened after the cursor.
    let mut floor = depth;
    let mut prev: Option<String> = None;
    let mut value_of: Option<usize> = None;
    while let Some((_, tok)) = sc.next() {
        match tok {
            Tok::Open(_) => {
                level += 1;
                prev = None;
                value_of = None;
            }
            Tok::Close => {
                level -= 1;
                floor = floor.min(level);
                prev = None;
                if level == 0 {
                    break;
                }
            }
            Tok::Comma => {
                prev = None;
                value_of = None;
            }
            Tok::Colon => {
                if let Some(k) = prev.take()
                    && level <= floor
                {
                    frames[level - 1].entries.push(Entry {
                        key: scalar(&k),
                        value: scalar(""),
                    });
                    value_of = Some(level);
                }
            }
            Tok::Scalar(_, v) => {
                if value_of == Some(level) {
                    if let Some(e) = frames[level - 1].entries.last_mut() {
                        e.value = scalar(&v);
                    }
                    value_of = None;
                } else {
                    prev = Some(v);
                }
            }
        }
    }
    let inner = frames.pop()?;
    for f in frames {
        if f.map {
            let k = f.key.clone().unwrap_or_default();
            containers.push(Some(mapping(f.entries)));
            path.push_owned_key(&k);
        } else {
            containers.push(None);
            path.push_index(f.index);
        }
    }
    let quoted = token
        .as_ref()
        .is_some_and(|t| matches!(text.as_bytes().get(t.start), Some(b'"' | b'\'')));
    if inner.map && inner.expect != Expect::Value {
        let replace = token.clone().unwrap_or(offset..offset);
        let after = text[replace.end.min(text.len())..].trim_start_matches([' ', '\t']);
        let ls = text[..replace.start]
            .rfind(['\n', '\r'])
            .map_or(0, |i| i + 1);
        return Some(Reading {
            path,
            containers,
            slot: Slot::Entry {
                replace: replace.clone(),
                column: col_of(text, ls, replace.start),
                siblings: mapping(inner.entries),
                has_value: token.is_some() && after.starts_with(':'),
                item: false,
            },
            style,
        });
    }
    if inner.map {
        let key = inner.key.clone()?;
        containers.push(Some(mapping(inner.entries)));
        path.push_owned_key(&key);
    } else {
        containers.push(None);
        path.push_index(inner.index);
    }
    let (replace, quoted) = match token {
        Some(t) if quoted => {
            let closed = t.end >= t.start + 2
                && text.as_bytes().get(t.end - 1) == text.as_bytes().get(t.start);
            let inner_end = if closed { t.end - 1 } else { t.end };
            if text[t.start + 1..inner_end].contains("{{") {
                return None;
            }
            (t.start + 1..inner_end, true)
        }
        Some(t) => (t, false),
        None => (offset..offset, false),
    };
    Some(Reading {
        path,
        containers,
        slot: Slot::Value { replace, quoted },
        style,
    })
}

mod full;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Reading {
        let offset = text.find("$0").expect("marker");
        let clean = text.replacen("$0", "", 1);
        let index = LineIndex::new(&clean);
        read(&clean, &index, offset, clean.trim_start().starts_with('{')).expect("a reading")
    }

    fn path(r: &Reading) -> String {
        r.path.to_string()
    }

    #[test]
    fn the_cursor_column_picks_the_mapping() {
        let doc = "a:\n  b:\n    c: 1\n$0\n";
        assert_eq!(path(&at(doc)), "");
        let doc = "a:\n  b:\n    c: 1\n  $0\n";
        assert_eq!(path(&at(doc)), "a");
        let doc = "a:\n  b:\n    c: 1\n    $0\n";
        assert_eq!(path(&at(doc)), "a.b");
        let doc = "steps:\n- name: A\n  script:\n    x: 1\n- name: B\n  $0\n  script: {}\n";
        let r = at(doc);
        assert_eq!(path(&r), "steps[1]");
        let Slot::Entry { siblings, .. } = &r.slot else {
            panic!("{r:?}")
        };
        let keys: Vec<_> = siblings
            .entries()
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, vec!["name", "script"]);
    }

    #[test]
    fn dashes_start_items() {
        let doc = "steps:\n  - name: A\n  - $0\n    script: {}\n";
        let r = at(doc);
        assert_eq!(path(&r), "steps[1]");
        let doc = "a:\n- - x: 1\n  - $0\n";
        assert_eq!(path(&at(doc)), "a[0][1]");
    }

    #[test]
    fn flow_and_json() {
        let r = at("{\"a\": {\"b\": 1, $0}}");
        assert_eq!(path(&r), "a");
        let r = at("{\"a\": [{\"b\": 1}, {\"c\": \"$0\"}]}");
        assert_eq!(path(&r), "a[1].c");
        let r = at("x:\n  y: {b: 1, $0}\n");
        assert_eq!(path(&r), "x.y");
    }
}

/// The windowed reader against the reader that tokenizes the whole
/// document ([`full`]), at every offset of documents written by others and
/// of broken, half-typed variants of them.
#[cfg(test)]
mod windowed {
    use super::*;

    /// The conformance suite's location, shared with the integration tests.
    #[allow(dead_code)]
    mod conformance {
        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/support/conformance.rs"
        ));
    }

    fn documents() -> (Vec<(String, String)>, bool) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let corpus = conformance::conformance_dir("the windowed layout reader on the corpus");
        let mut dirs = vec![root.join("examples"), root.join("tests/fixtures")];
        dirs.extend(corpus.clone());
        let mut out = Vec::new();
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    out.push((path.display().to_string(), text));
                }
            }
        }
        out.sort();
        (out, corpus.is_some())
    }

    /// Broken and half-typed versions of `text`, each named.
    fn variants(text: &str) -> Vec<(&'static str, String)> {
        let lines: Vec<&str> = text.lines().collect();
        let edit = |f: &dyn Fn(usize, &str) -> Option<String>| -> String {
            let mut out = String::with_capacity(text.len() + 64);
            for (i, l) in lines.iter().enumerate() {
                match f(i, l) {
                    Some(new) => out.push_str(&new),
                    None => out.push_str(l),
                }
                out.push('\n');
            }
            out
        };
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        vec![
            ("as written", text.to_string()),
            ("CRLF line breaks", text.replace('\n', "\r\n")),
            // A blank line, indented like the next line, every third line.
            (
                "blank lines",
                edit(&|i, l| (i % 3 == 1).then(|| format!("{}\n{l}", " ".repeat(indent(l))))),
            ),
            // Keys half-typed: every fourth `key: value` cut inside its key.
            (
                "half-typed keys",
                edit(&|i, l| {
                    let colon = l.find(": ")?;
                    let start = indent(l) + usize::from(l.trim_start().starts_with("- ")) * 2;
                    (i % 4 == 2 && colon > start + 1).then(|| l[..start + 1].to_string())
                }),
            ),
            // Quotes opened and not closed, on every fifth value.
            (
                "unclosed quotes",
                edit(&|i, l| {
                    let colon = l.find(": ")?;
                    (i % 5 == 3).then(|| format!("{}\"{}", &l[..colon + 2], &l[colon + 2..]))
                }),
            ),
            // Flow collections opened and not closed, and block scalars
            // started, on every sixth key.
            (
                "open flow collections and block scalars",
                edit(&|i, l| {
                    let colon = l.find(": ")?;
                    match i % 12 {
                        4 => Some(format!("{}[a, {{b: ", &l[..colon + 2])),
                        10 => Some(format!(
                            "{}|\n{}  x: y",
                            &l[..colon + 2],
                            " ".repeat(indent(l))
                        )),
                        _ => None,
                    }
                }),
            ),
            // Tabs in the indentation of every seventh line.
            (
                "tabs",
                edit(&|i, l| (i % 7 == 5 && indent(l) > 0).then(|| format!("\t{}", &l[1..]))),
            ),
        ]
    }

    /// Flow lines indented less and less under a block of deep lines: each
    /// is read from the line above the block, so reading them one by one
    /// would cross the block once per line. The reading gives up within its
    /// budget and reads the document whole, with the same answer.
    #[test]
    fn a_document_too_costly_to_read_by_windows_is_read_whole() {
        let (k, n) = (300, 300);
        let mut text = String::from("a:\n");
        for _ in 0..n {
            text.push_str(&" ".repeat(k + 2));
            text.push_str("x: 1\n");
        }
        for j in (1..=k).rev() {
            text.push_str(&" ".repeat(j));
            text.push_str("[x]\n");
        }
        text.push_str(&" ".repeat(k + 1));
        let index = LineIndex::new(&text);
        let offset = text.len();
        let lines = Lines::new(&text, &index, offset);
        let _ = lines.read(offset);
        assert!(lines.over(), "{} of {}", lines.spent.get(), lines.budget);
        for at in [offset, offset - k - 3, 3 + k + 4, text.len() / 2] {
            assert_eq!(
                format!("{:?}", read(&text, &index, at, false)),
                format!("{:?}", full::read(&text, at, false)),
                "at {at}"
            );
        }
        // An ordinary document stays well within it.
        let doc = "steps:\n- name: A\n  script:\n    actions:\n      onRun:\n        command: x\n";
        let index = LineIndex::new(doc);
        let lines = Lines::new(doc, &index, doc.len());
        assert!(lines.read(doc.len()).is_some());
        assert!(!lines.over());
    }

    /// Field by field (what the `Debug` text shows, without the cost of
    /// writing it at every offset).
    fn same_reading(a: &Option<Reading>, b: &Option<Reading>) -> bool {
        fn node(a: &Node, b: &Node) -> bool {
            a.span == b.span
                && a.weight == b.weight
                && match (&a.kind, &b.kind) {
                    (NodeKind::Scalar(x), NodeKind::Scalar(y)) => {
                        x.value == y.value && x.style == y.style && x.tag == y.tag
                    }
                    (NodeKind::Mapping(x), NodeKind::Mapping(y)) => {
                        x.len() == y.len()
                            && x.iter()
                                .zip(y)
                                .all(|(e, f)| node(&e.key, &f.key) && node(&e.value, &f.value))
                    }
                    (NodeKind::Sequence(x), NodeKind::Sequence(y)) => {
                        x.len() == y.len() && x.iter().zip(y).all(|(m, n)| node(m, n))
                    }
                    _ => false,
                }
        }
        let (Some(a), Some(b)) = (a, b) else {
            return a.is_none() && b.is_none();
        };
        let slot = match (&a.slot, &b.slot) {
            (
                Slot::Entry {
                    replace,
                    column,
                    siblings,
                    has_value,
                    item,
                },
                Slot::Entry {
                    replace: r,
                    column: c,
                    siblings: s,
                    has_value: h,
                    item: i,
                },
            ) => replace == r && column == c && node(siblings, s) && has_value == h && item == i,
            (
                Slot::Value { replace, quoted },
                Slot::Value {
                    replace: r,
                    quoted: q,
                },
            ) => replace == r && quoted == q,
            _ => false,
        };
        slot && a.path == b.path
            && a.style == b.style
            && a.containers.len() == b.containers.len()
            && a.containers
                .iter()
                .zip(&b.containers)
                .all(|(x, y)| match (x, y) {
                    (Some(x), Some(y)) => node(x, y),
                    (None, None) => true,
                    _ => false,
                })
    }

    #[test]
    fn the_windowed_reader_reads_what_the_full_reader_reads() {
        let (docs, with_corpus) = documents();
        let least = if with_corpus { 300 } else { 10 };
        assert!(docs.len() > least, "only {} documents", docs.len());
        let (mut offsets, mut readings) = (0usize, 0usize);
        for (name, doc) in &docs {
            let json = name.ends_with(".json");
            for (what, text) in variants(doc) {
                let index = LineIndex::new(&text);
                // Every offset of the documents as written; in the variants
                // (the whole-document reader costs a whole reading per
                // offset), each line's first 16 bytes (its indentation,
                // dashes and key), its end, and every seventh offset.
                let every = what == "as written";
                for offset in 0..=text.len() {
                    if !text.is_char_boundary(offset) {
                        continue;
                    }
                    if !every {
                        let line = index.line_range(&text, index.line_of(offset));
                        if offset > line.start + 16 && offset != line.end && offset % 7 != 0 {
                            continue;
                        }
                    }
                    let windowed = read(&text, &index, offset, json);
                    let whole = full::read(&text, offset, json);
                    offsets += 1;
                    readings += usize::from(whole.is_some());
                    if same_reading(&windowed, &whole) {
                        continue;
                    }
                    assert_eq!(
                        format!("{windowed:?}"),
                        format!("{whole:?}"),
                        "{name} ({what}) at offset {offset}: {:?}|{:?}",
                        &text[text.floor_char_boundary(offset.saturating_sub(40))..offset],
                        &text[offset..text.ceil_char_boundary(offset + 20)],
                    );
                }
            }
        }
        println!(
            "{} documents, {offsets} offsets, {readings} readings agree",
            docs.len()
        );
        assert!(readings * 3 > offsets, "{readings} readings of {offsets}");
    }
}
