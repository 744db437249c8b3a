//! What a request handler sees: an immutable [`Snapshot`] of the server
//! (settings, position encoding, workspace) and the request's [`Doc`] (one
//! version of an open document and its analysis). Handlers are pure
//! functions of these two; the state may change meanwhile without them
//! noticing, and the dispatcher drops their answer if it did.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::analysis::Analysis;
use crate::syntax::Span;
use crate::text::PositionEncoding;
use crate::workspace::Workspace;

use super::config::Config;
use super::convert;

#[derive(Clone)]
pub struct Snapshot {
    pub encoding: PositionEncoding,
    pub config: Arc<Config>,
    pub workspace: Arc<Workspace>,
}

/// One version of an open document, analysed.
#[derive(Clone)]
pub struct Doc {
    pub uri: Uri,
    pub path: Option<PathBuf>,
    pub version: i32,
    pub analysis: Arc<Analysis>,
}

impl Snapshot {
    /// A client position in `doc` as a byte offset.
    pub fn offset(&self, doc: &Doc, position: lsp::Position) -> usize {
        convert::offset(&doc.analysis, position, self.encoding)
    }

    /// A client range in `doc` as a byte span.
    pub fn span(&self, doc: &Doc, range: lsp::Range) -> Span {
        self.offset(doc, range.start)..self.offset(doc, range.end)
    }
}
