//! Positioned YAML/JSON documents and the `{{ }}` regions inside their strings.

pub mod cfn;
pub mod format_string;
pub mod nesting;
pub mod parse;
pub mod scalar_map;
pub mod tree;

pub use parse::{Parsed, SyntaxError, SyntaxErrorKind, parse};
pub use scalar_map::ScalarMap;
pub use tree::{
    Entry, Node, NodeKind, PathStep, Scalar, ScalarKind, ScalarStyle, ScalarText, Span,
};
