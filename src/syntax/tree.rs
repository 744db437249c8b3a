//! The positioned tree every later layer reads: mappings, sequences and
//! scalars, each with the byte range it occupies in the document.

use std::ops::Range;

pub type Span = Range<usize>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// The type a scalar has under the YAML 1.2 core schema (JSON's types for JSON).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarKind {
    Null,
    Bool(bool),
    /// An integer; `None` when it does not fit in 64 bits.
    Int(Option<i64>),
    Float(f64),
    Str,
}

/// A scalar's text. Most are keys and short values, held inline: a
/// large document's tree holds hundreds of thousands.
pub type ScalarText = compact_str::CompactString;

#[derive(Clone, Debug)]
pub struct Scalar {
    pub value: ScalarText,
    pub style: ScalarStyle,
    /// An explicit tag such as `!!str`, kept so that `!!str 5` is a string.
    /// Boxed: tags are rare, and every node of the tree is as large as a
    /// scalar.
    pub tag: Option<Box<String>>,
}

impl Scalar {
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref().map(String::as_str)
    }

    pub fn kind(&self) -> ScalarKind {
        if let Some("tag:yaml.org,2002:str") = self.tag() {
            return ScalarKind::Str;
        }
        if self.style != ScalarStyle::Plain {
            return ScalarKind::Str;
        }
        resolve_plain(&self.value)
    }

    pub(crate) fn is_quoted(&self) -> bool {
        matches!(
            self.style,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
        )
    }
}

fn resolve_plain(v: &str) -> ScalarKind {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarKind::Null,
        "true" | "True" | "TRUE" => return ScalarKind::Bool(true),
        "false" | "False" | "FALSE" => return ScalarKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return ScalarKind::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return ScalarKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarKind::Float(f64::NAN),
        _ => {}
    }
    let (sign, digits) = match v.as_bytes().first() {
        Some(b'-') => (-1i128, &v[1..]),
        Some(b'+') => (1, &v[1..]),
        _ => (1, v),
    };
    let int = if let Some(hex) = digits.strip_prefix("0x") {
        parse_radix(hex, 16)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        parse_radix(oct, 8)
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Some(digits.parse::<i128>().ok())
    } else {
        None
    };
    if let Some(parsed) = int {
        let value = parsed
            .and_then(|n| n.checked_mul(sign))
            .and_then(|n| i64::try_from(n).ok());
        return ScalarKind::Int(value);
    }
    if is_core_float(v)
        && let Ok(f) = v.parse::<f64>()
    {
        return ScalarKind::Float(f);
    }
    ScalarKind::Str
}

/// `Some(None)` for a well-formed numeral too large for i128.
fn parse_radix(digits: &str, radix: u32) -> Option<Option<i128>> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(i128::from_str_radix(digits, radix).ok())
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar(Scalar),
    Mapping(Vec<Entry>),
    Sequence(Vec<Node>),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
    /// Number of nodes in this subtree, a scalar's text counted as a node
    /// per 64 bytes, so alias expansion can be budgeted, by count and by
    /// bytes, before anything is copied.
    pub weight: usize,
}

impl Node {
    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        self.scalar().map(|s| s.value.as_str())
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Mapping(e) => Some(e),
            _ => None,
        }
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// The first entry whose key is the scalar `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key.as_str() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.scalar().map(Scalar::kind), Some(ScalarKind::Null))
    }

    /// A short name for the node's type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Mapping(_) => "a mapping",
            NodeKind::Sequence(_) => "a list",
            NodeKind::Scalar(s) => match s.kind() {
                ScalarKind::Null => "null",
                ScalarKind::Bool(_) => "a boolean",
                ScalarKind::Int(_) => "an integer",
                ScalarKind::Float(_) => "a number",
                ScalarKind::Str => "a string",
            },
        }
    }

    /// The innermost node whose span contains `offset`, with the chain of
    /// ancestors leading to it (outermost first).
    pub(crate) fn path_to(&self, offset: usize) -> Vec<PathStep<'_>> {
        let mut path = Vec::new();
        let mut node = self;
        loop {
            let next = match &node.kind {
                NodeKind::Mapping(entries) => entries.iter().find_map(|e| {
                    if contains(&e.key.span, offset) {
                        Some(PathStep::Key(e))
                    } else if contains(&e.value.span, offset) {
                        Some(PathStep::Value(e))
                    } else {
                        None
                    }
                }),
                NodeKind::Sequence(items) => items
                    .iter()
                    .enumerate()
                    .find(|(_, n)| contains(&n.span, offset))
                    .map(|(i, n)| PathStep::Item(i, n)),
                NodeKind::Scalar(_) => None,
            };
            match next {
                Some(step) => {
                    let child = match step {
                        PathStep::Key(_) => {
                            path.push(step);
                            return path;
                        }
                        PathStep::Value(e) => &e.value,
                        PathStep::Item(_, n) => n,
                    };
                    path.push(step);
                    node = child;
                }
                None => return path,
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum PathStep<'a> {
    /// The cursor is on this entry's key.
    Key(&'a Entry),
    /// The cursor is inside this entry's value.
    Value(&'a Entry),
    Item(usize, &'a Node),
}

/// `v` in an allocation of exactly its length, for what is kept as long as a
/// document is open. Not `shrink_to_fit`: the allocator shrinks in place,
/// keeping the whole block, when the new size is at least half the old one,
/// and a list of 2 in a block for 4 is the common case.
pub(crate) fn exact<T>(v: Vec<T>) -> Vec<T> {
    if v.len() == v.capacity() {
        return v;
    }
    let mut exact = Vec::with_capacity(v.len());
    exact.extend(v);
    exact
}

/// Inclusive of the end, so a cursor just after a token still belongs to it.
pub fn contains(span: &Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_document_keeps_has_no_room_to_grow() {
        let mut grown = Vec::with_capacity(8);
        grown.extend([1, 2, 3]);
        let kept = exact(grown);
        assert_eq!((kept.len(), kept.capacity()), (3, 3));
        assert_eq!(kept, [1, 2, 3]);
        // A parsed mapping and list hold exactly their entries and items.
        let root = crate::syntax::parse("a: 1\nb: [x, y, z]\n")
            .root
            .expect("parses");
        let entries = root.entries().expect("a mapping");
        let items = root.get("b").and_then(Node::items).expect("a list");
        let NodeKind::Mapping(v) = &root.kind else {
            unreachable!()
        };
        assert_eq!((entries.len(), v.capacity()), (2, 2));
        let NodeKind::Sequence(v) = &root.get("b").expect("b").kind else {
            unreachable!()
        };
        assert_eq!((items.len(), v.capacity()), (3, 3));
    }
}
