//! The one way a request about a document is run:
//!
//! 1. the document's current version is taken ([`State::doc`]); an unknown
//!    document gets the empty answer (`R::default()`);
//! 2. its analysis is shared with everyone else asking about that version
//!    (computed once);
//! 3. the handler runs on a blocking thread against an immutable
//!    [`Snapshot`] and [`Doc`]; a panic becomes an `InternalError` response
//!    and the server keeps serving;
//! 4. if the document changed meanwhile (a newer version, or closed), the
//!    answer is stale and the client gets `ContentModified` instead.
//!
//! `$/cancelRequest` is handled by the transport: it drops the request's
//! future, which stops waiting here.

use std::panic::AssertUnwindSafe;

use tower_lsp_server::jsonrpc::{Error as RpcError, Result as RpcResult};
use tower_lsp_server::ls_types::Uri;

use super::Backend;
use super::snapshot::{CancelOnDrop, Doc, Snapshot, Unwanted};

/// A request handler: pure, on a snapshot and one document.
pub(crate) type Handler<P, R> = fn(&Snapshot, &Doc, P) -> RpcResult<R>;

impl Backend {
    /// Run `handler` for a request about `uri` (see the module docs).
    pub async fn on_document<P, R>(
        &self,
        name: &'static str,
        uri: &Uri,
        params: P,
        handler: Handler<P, R>,
    ) -> RpcResult<R>
    where
        P: Send + 'static,
        R: Default + Send + 'static,
    {
        let Some(handle) = self.state.doc(uri) else {
            return Ok(R::default());
        };
        let doc = self.state.resolve(&handle).await?;
        if !self.state.is_current(&handle) {
            return Err(RpcError::content_modified());
        }
        let cancelled = CancelOnDrop(Default::default());
        let mut snapshot = self.state.snapshot();
        snapshot.unwanted = Unwanted {
            cancelled: cancelled.0.clone(),
            stale: Some(handle.stale_flag()),
        };
        let result = isolated(name, move || handler(&snapshot, &doc, params)).await??;
        drop(cancelled);
        if !self.state.is_current(&handle) {
            return Err(RpcError::content_modified());
        }
        Ok(result)
    }
}

/// Run `f` on a blocking thread; a panic becomes an `InternalError`.
pub async fn isolated<T: Send + 'static>(
    name: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> RpcResult<T> {
    let joined =
        tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(f))).await;
    unwind(name, joined.map_err(|e| e.to_string()))
}

/// Like [`isolated`], on a thread of its own that ends with `f`: what `f`
/// allocates and returns is then no pooled thread's, and its memory goes
/// back to the system as soon as it is dropped (see `memory`).
pub async fn isolated_on_own_thread<T: Send + 'static>(
    name: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> RpcResult<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("openjd-{name}"))
        .spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(f)));
        });
    if let Err(e) = spawned {
        tracing::error!("{name}: cannot start a thread: {e}");
        return Err(RpcError::internal_error());
    }
    unwind(name, rx.await.map_err(|e| e.to_string()))
}

fn unwind<T>(name: &'static str, joined: Result<std::thread::Result<T>, String>) -> RpcResult<T> {
    match joined {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            tracing::error!("{name} panicked: {msg}");
            let mut e = RpcError::internal_error();
            e.message = format!("{name} failed: {msg}").into();
            Err(e)
        }
        Err(e) => {
            tracing::error!("{name} task failed: {e}");
            Err(RpcError::internal_error())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use tower_lsp_server::LspService;
    use tower_lsp_server::jsonrpc::ErrorCode;
    use tower_lsp_server::ls_types::TextDocumentContentChangeEvent;

    use super::*;
    use crate::server::state::State;

    const JOB: &str = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun: {command: run}\n";

    fn backend() -> Backend {
        let mut made = None;
        let (_service, _socket) = LspService::new(|client| {
            let b = Backend {
                client,
                state: Arc::new(State::new(None, Default::default())),
            };
            made = Some(b.clone());
            b
        });
        made.expect("backend")
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    fn uri() -> Uri {
        "file:///ws/job.yaml".parse().expect("uri")
    }

    #[test]
    fn one_analysis_per_version_however_many_ask() {
        let rt = runtime();
        rt.block_on(async {
            let b = backend();
            b.state.open(uri(), JOB, 1, "yaml");
            let h = b.state.doc(&uri()).expect("open");
            let asks = (0..8).map(|_| {
                let (state, h) = (b.state.clone(), h.clone());
                tokio::spawn(async move { state.resolve(&h).await.map(|d| d.analysis) })
            });
            let mut analyses = Vec::new();
            for a in asks {
                analyses.push(a.await.expect("join").expect("analysis"));
            }
            assert!(analyses.iter().all(|a| Arc::ptr_eq(a, &analyses[0])));
            // A request afterwards shares it too.
            let again = b
                .on_document("test", &uri(), (), |_, d, ()| Ok(Some(d.analysis.clone())))
                .await
                .expect("answer")
                .expect("known document");
            assert!(Arc::ptr_eq(&again, &analyses[0]));
        });
    }

    static STARTED: AtomicBool = AtomicBool::new(false);
    static RELEASE: AtomicBool = AtomicBool::new(false);

    #[test]
    fn an_edit_during_a_request_makes_its_answer_content_modified() {
        let rt = runtime();
        rt.block_on(async {
            let b = backend();
            b.state.open(uri(), JOB, 1, "yaml");
            let asking = b.clone();
            let request = tokio::spawn(async move {
                asking
                    .on_document("slow", &uri(), (), |_, _, ()| {
                        STARTED.store(true, Ordering::SeqCst);
                        while !RELEASE.load(Ordering::SeqCst) {
                            std::thread::yield_now();
                        }
                        Ok(Some(1))
                    })
                    .await
            });
            while !STARTED.load(Ordering::SeqCst) {
                tokio::task::yield_now().await;
            }
            let edit = TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: JOB.replace("name: J", "name: K"),
            };
            assert!(b.state.change(&uri(), &[edit], 2));
            RELEASE.store(true, Ordering::SeqCst);
            let answer = request.await.expect("join");
            assert_eq!(answer.expect_err("stale").code, ErrorCode::ContentModified);
            // Unknown documents get the empty answer.
            let other: Uri = "file:///ws/other.yaml".parse().expect("uri");
            let none = b.on_document("x", &other, (), |_, _, ()| Ok(Some(1))).await;
            assert_eq!(none.expect("no error"), None);
        });
    }

    #[test]
    fn a_version_edited_before_its_analysis_is_not_analysed() {
        let rt = runtime();
        rt.block_on(async {
            let b = backend();
            b.state.open(uri(), JOB, 1, "yaml");
            let first = b.state.doc(&uri()).expect("open");
            let edit = TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: JOB.replace("name: J", "name: K"),
            };
            assert!(b.state.change(&uri(), &[edit], 2));
            let stale = b.state.resolve(&first).await;
            assert_eq!(
                stale.err().map(|e| e.code),
                Some(ErrorCode::ContentModified)
            );
            assert!(first.computed().is_none(), "the old version was analysed");
            let current = b.state.doc(&uri()).expect("open");
            let doc = b.state.resolve(&current).await.expect("analysis");
            assert!(!doc.analysis.stopped);
            assert!(doc.analysis.text.contains("name: K"));
        });
    }

    #[test]
    fn a_panicking_feature_becomes_an_internal_error() {
        let rt = runtime();
        rt.block_on(async {
            let failed: RpcResult<()> = isolated("boom", || panic!("feature exploded")).await;
            let err = failed.expect_err("a panic is an error");
            assert_eq!(
                err.code,
                tower_lsp_server::jsonrpc::ErrorCode::InternalError
            );
            assert!(err.message.contains("feature exploded"), "{}", err.message);
            // The runtime keeps serving afterwards.
            assert_eq!(isolated("ok", || 7).await.ok(), Some(7));
            // The same on a thread of its own (a large document's analysis).
            let failed: RpcResult<()> =
                isolated_on_own_thread("big", || panic!("analysis exploded")).await;
            let err = failed.expect_err("a panic is an error");
            assert!(err.message.contains("analysis exploded"), "{}", err.message);
            assert_eq!(isolated_on_own_thread("ok", || 8).await.ok(), Some(8));
        });
    }
}
