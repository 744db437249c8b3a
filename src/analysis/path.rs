//! Paths from the document root to a node, in the shape the reference
//! validator reports them (`steps[0].script.actions.onRun`).

use std::borrow::Cow;
use std::fmt;

use crate::syntax::Node;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Path(pub Vec<Seg>);

impl Path {
    /// A key from the schema table (no allocation).
    pub(crate) fn push_key(&mut self, key: &'static str) {
        self.0.push(Seg::Key(Cow::Borrowed(key)));
    }
    /// A key written by the user (an environment variable name).
    pub(crate) fn push_owned_key(&mut self, key: &str) {
        self.0.push(Seg::Key(Cow::Owned(key.to_string())));
    }
    pub(crate) fn push_index(&mut self, i: usize) {
        self.0.push(Seg::Index(i));
    }
    pub fn pop(&mut self) {
        self.0.pop();
    }
    pub fn key(&self, i: usize) -> Option<&str> {
        match self.0.get(i)? {
            Seg::Key(k) => Some(k.as_ref()),
            Seg::Index(_) => None,
        }
    }
    pub fn index(&self, i: usize) -> Option<usize> {
        match self.0.get(i)? {
            Seg::Index(n) => Some(*n),
            Seg::Key(_) => None,
        }
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub(crate) fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Seg::Key(k) => Some(k.as_ref()),
            Seg::Index(_) => None,
        })
    }
    /// The last key when it comes from the schema table (not a key
    /// written by the user).
    pub(crate) fn last_schema_key(&self) -> Option<&'static str> {
        match self.0.iter().rev().find(|s| matches!(s, Seg::Key(_)))? {
            Seg::Key(Cow::Borrowed(k)) => Some(k),
            _ => None,
        }
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.0
            .iter()
            .any(|s| matches!(s, Seg::Key(k) if k.as_ref() == key))
    }

    /// The node at this path, or the nearest ancestor that exists, with the
    /// number of segments that were found.
    pub fn resolve<'a>(&self, root: &'a Node) -> (&'a Node, usize) {
        let mut node = root;
        for (depth, seg) in self.0.iter().enumerate() {
            let next = match seg {
                Seg::Key(k) => node.get(k.as_ref()),
                Seg::Index(i) => node.items().and_then(|items| items.get(*i)),
            };
            match next {
                Some(n) => node = n,
                None => return (node, depth),
            }
        }
        (node, self.0.len())
    }

    /// The span of the key naming the last segment, if it is a key that exists.
    pub(crate) fn key_span(&self, root: &Node) -> Option<crate::syntax::Span> {
        let (Seg::Key(last), parent) = self.0.split_last()? else {
            return None;
        };
        let parent = Path(parent.to_vec());
        let (node, found) = parent.resolve(root);
        if found != parent.len() {
            return None;
        }
        node.entry(last.as_ref()).map(|e| e.key.span.clone())
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}
