//! The reader that tokenizes every line of the document for each reading:
//! linear in the document whatever its shape. The windowed reader falls
//! back on it when a document's shape would make it cost more, and the
//! tests hold the windowed reader to it at every offset.

use std::borrow::Cow;

use super::*;

pub(super) fn read(text: &str, offset: usize, json: bool) -> Option<Reading> {
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
    let lines = Lines::new(text, offset);
    lines.read(offset)
}

struct Lines<'a> {
    text: &'a str,
    lines: Vec<Line>,
}

enum Carry {
    None,
    /// Lines indented more than this column continue a scalar.
    Scalar(usize),
    /// Lines indented more than this column continue the flow collection or
    /// quoted scalar started on line `owner`.
    Open(usize, FlowState, usize),
}

impl<'a> Lines<'a> {
    /// Tokenizes every line, marking those that continue a scalar or flow
    /// collection of an earlier line. The cursor's line counts as indented to
    /// the cursor when it is blank before it.
    fn new(text: &'a str, cursor: usize) -> Lines<'a> {
        let mut lines: Vec<Line> = Vec::with_capacity(text.len() / 24 + 1);
        let b = text.as_bytes();
        let mut start = 0;
        let mut carry = Carry::None;
        loop {
            let mut end = start;
            while end < b.len() && b[end] != b'\n' && b[end] != b'\r' {
                end += 1;
            }
            let mut line = tokenize(text, start, end);
            if start <= cursor && cursor <= end && text[start..cursor].trim().is_empty() {
                let c = col_of(text, start, cursor);
                if line.blank || c < line.indent {
                    line.indent = c;
                    line.blank = false;
                }
            }
            let continues = |p: usize, line: &Line| line.blank || line.indent > p;
            carry = match carry {
                Carry::Scalar(p) if continues(p, &line) => {
                    line.cont = true;
                    Carry::Scalar(p)
                }
                Carry::Open(p, mut st, owner) if continues(p, &line) => {
                    line.cont = true;
                    st.feed(&text[start..end]);
                    if let Some(l) = lines.get_mut(owner)
                        && let Some(f) = l.flow.as_mut()
                    {
                        f.1 = end;
                    }
                    if st.open() {
                        Carry::Open(p, st, owner)
                    } else {
                        Carry::None
                    }
                }
                _ => Carry::None,
            };
            if !line.cont && !line.blank {
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
                carry = if v.is_empty() {
                    Carry::None
                } else if v.starts_with('|') || v.starts_with('>') {
                    Carry::Scalar(p)
                } else if v.starts_with(['[', '{', '"', '\'']) && !v.starts_with("{{") {
                    let mut st = FlowState::default();
                    st.feed(v);
                    if v.starts_with(['[', '{']) {
                        line.flow = Some((value.start, end));
                    }
                    if st.open() {
                        Carry::Open(p, st, lines.len())
                    } else {
                        Carry::None
                    }
                } else {
                    Carry::Scalar(p)
                };
            }
            lines.push(line);
            if end >= b.len() {
                break;
            }
            start = if b[end] == b'\r' && b.get(end + 1) == Some(&b'\n') {
                end + 2
            } else {
                end + 1
            };
        }
        Lines { text, lines }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|l| l.start <= offset)
            .saturating_sub(1)
    }

    /// The mapping entries at `col` around line `at` (excluded): upwards
    /// unless `below_only`, and downwards.
    fn siblings(&self, at: usize, col: usize, below_only: bool) -> Node {
        // A key after a `- ` is the first of its mapping.
        let below_only = below_only || self.lines[at].dashes.first().is_some_and(|d| *d < col);
        let mut entries = Vec::new();
        let mut push = |k: &KeyTok| {
            entries.push(Entry {
                key: scalar(&k.name),
                value: scalar(self.text[k.value.clone()].trim_matches(['"', '\''])),
            });
        };
        if !below_only {
            for l in self.lines[..at].iter().rev() {
                if l.blank || l.cont {
                    continue;
                }
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
        for l in &self.lines[at + 1..] {
            if l.blank || l.cont {
                continue;
            }
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

    fn read(&self, offset: usize) -> Option<Reading> {
        let text = self.text;
        let at = self.line_of(offset);
        let line = &self.lines[at];
        // Between a `\r` and its `\n`: the end of the line.
        let offset = offset.min(line.end);
        if line.cont {
            // Inside a flow collection that an earlier line opened?
            let owner = self.lines[..at]
                .iter()
                .rposition(|l| l.flow.is_some_and(|(s, e)| s < offset && offset <= e))?;
            return self.in_flow(owner, offset);
        }
        if let Some((s, e)) = line.flow
            && s < offset
            && offset <= e
        {
            return self.in_flow(at, offset);
        }
        read_line(self, text, at, line, offset)
    }

    /// The path to the mapping whose keys sit at `col` on line `at`, after
    /// the `dashes` of that line.
    fn ancestors(&self, at: usize, col: usize, dashes: &[usize]) -> (Path, Vec<Option<Node>>) {
        enum A {
            /// A key, its line and column.
            Key(usize, usize),
            Index(usize),
        }
        let mut found: Vec<A> = Vec::new();
        // The column of the innermost entry whose parent is sought; when it
        // is a list item (`pending_dash`) a key at the same column may hold
        // the list, and dashes at that column are earlier items.
        let (mut limit, mut pending_dash) = match dashes.first() {
            Some(d) => (*d, true),
            None => (col, false),
        };
        let mut count = 0;
        for (n, l) in self.lines[..at].iter().enumerate().rev() {
            if limit == 0 && !pending_dash {
                break;
            }
            if l.blank || l.cont || l.indent > limit {
                continue;
            }
            if let Some(k) = &l.key
                && (k.col < limit || (k.col == limit && pending_dash))
            {
                if pending_dash {
                    found.push(A::Index(count));
                }
                found.push(A::Key(n, k.col));
                limit = k.col;
                pending_dash = false;
                count = 0;
            }
            for d in l.dashes.iter().rev() {
                if *d < limit {
                    if pending_dash {
                        found.push(A::Index(count));
                    }
                    limit = *d;
                    pending_dash = true;
                    count = 0;
                } else if *d == limit && pending_dash {
                    count += 1;
                }
            }
        }
        if pending_dash {
            found.push(A::Index(count));
        }
        found.reverse();
        let mut path = Path::default();
        let mut containers = Vec::new();
        for a in &found {
            match a {
                A::Key(line, col) => {
                    let Some(k) = &self.lines[*line].key else {
                        continue;
                    };
                    let mut siblings = self.siblings(*line, *col, false);
                    if let NodeKind::Mapping(e) = &mut siblings.kind {
                        e.push(Entry {
                            key: scalar(&k.name),
                            value: scalar(self.text[k.value.clone()].trim_matches(['"', '\''])),
                        });
                    }
                    containers.push(Some(siblings));
                    path.0.push(Seg::Key(Cow::Owned(k.name.clone())));
                }
                A::Index(i) => {
                    containers.push(None);
                    path.push_index(*i);
                }
            }
        }
        // The inner dashes of the cursor's line start new lists.
        for _ in dashes.iter().skip(1) {
            containers.push(None);
            path.push_index(0);
        }
        (path, containers)
    }

    /// The flow collection opened on line `owner`, read up to `offset`.
    fn in_flow(&self, owner: usize, offset: usize) -> Option<Reading> {
        let l = &self.lines[owner];
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
        flow(self.text, start, end, offset, path, containers, false)
    }
}

impl Surroundings for Lines<'_> {
    fn ancestors(&self, at: usize, col: usize, dashes: &[usize]) -> (Path, Vec<Option<Node>>) {
        Lines::ancestors(self, at, col, dashes)
    }
    fn siblings(&self, at: usize, col: usize, below_only: bool) -> Node {
        Lines::siblings(self, at, col, below_only)
    }
    fn in_flow(&self, owner: usize, offset: usize) -> Option<Reading> {
        Lines::in_flow(self, owner, offset)
    }
}
