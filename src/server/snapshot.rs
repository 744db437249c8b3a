//! What a request handler sees: an immutable [`Snapshot`] of the server
//! (settings, position encoding, workspace) and the request's [`Doc`] (one
//! version of an open document and its analysis). Handlers are pure
//! functions of these two; the state may change meanwhile without them
//! noticing, and the dispatcher drops their answer if it did.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// When the answer being computed is no longer wanted.
    pub unwanted: Unwanted,
}

/// A request's answer is no longer wanted once the client cancelled the
/// request or edited the document it is about: long work asks this and
/// gives up.
#[derive(Clone, Default)]
pub struct Unwanted {
    pub(crate) cancelled: Arc<AtomicBool>,
    pub(crate) stale: Option<Arc<AtomicBool>>,
}

impl Unwanted {
    pub fn now(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
            || self
                .stale
                .as_ref()
                .is_some_and(|s| s.load(Ordering::Acquire))
    }

    /// The error that answers a request given up on.
    pub fn error(&self) -> tower_lsp_server::jsonrpc::Error {
        if self
            .stale
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Acquire))
        {
            tower_lsp_server::jsonrpc::Error::content_modified()
        } else {
            tower_lsp_server::jsonrpc::Error::request_cancelled()
        }
    }
}

/// Says a request is cancelled when its future is dropped, as the service
/// drops it on `$/cancelRequest`, while its handler may still be running
/// on a blocking thread.
pub(crate) struct CancelOnDrop(pub Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
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

#[cfg(test)]
mod unwanted_tests {
    use super::*;

    #[test]
    fn a_dropped_request_or_an_edit_makes_the_answer_unwanted() {
        let cancelled = CancelOnDrop(Arc::default());
        let stale = Arc::new(AtomicBool::new(false));
        let unwanted = Unwanted {
            cancelled: cancelled.0.clone(),
            stale: Some(stale.clone()),
        };
        assert!(!unwanted.now());
        drop(cancelled);
        assert!(unwanted.now());
        assert_eq!(
            unwanted.error().code,
            tower_lsp_server::jsonrpc::ErrorCode::RequestCancelled
        );
        stale.store(true, Ordering::Release);
        assert_eq!(
            unwanted.error().code,
            tower_lsp_server::jsonrpc::ErrorCode::ContentModified
        );
    }
}
