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
        let mut found: Vec<Ancestor> = Vec::new();
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
        if pending_dash {
            found.push(Ancestor::Index(count));
        }
        found.reverse();
        ancestry(self, &found, dashes)
    }
}

impl Surroundings for Lines<'_> {
    fn text(&self) -> &str {
        self.text
    }
    fn line(&self, n: usize) -> Cow<'_, Line> {
        Cow::Borrowed(&self.lines[n])
    }
    fn tokens(&self, n: usize) -> Cow<'_, Line> {
        Cow::Borrowed(&self.lines[n])
    }
    fn ancestors(&self, at: usize, col: usize, dashes: &[usize]) -> (Path, Vec<Option<Node>>) {
        Lines::ancestors(self, at, col, dashes)
    }
    fn count(&self) -> usize {
        self.lines.len()
    }
    fn visit(&self, n: usize, _col: usize) -> Visit<'_> {
        let l = &self.lines[n];
        if l.blank || l.cont {
            Visit::PassBy
        } else {
            Visit::Look(Cow::Borrowed(l))
        }
    }
}
