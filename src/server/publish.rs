//! Diagnostics going out. After an edit, once the wait that `pacing`
//! decides is over (none while the document's analysis is cheap; a newer
//! edit makes a pending analysis stale), a document's diagnostics are
//! published (push) tagged with the version they were computed for; a pull
//! waits as long, then is answered from that same analysis. After anything other
//! documents' diagnostics depend on changes — an open buffer's edit, a save
//! or another change on disk, `openjd-lsp.yaml`, the `openjd.queues`
//! setting, the workspace folders — every open document whose diagnostics
//! now differ from what the client was last given is published again, or,
//! when the client pulls, the client is asked to pull again
//! (`workspace/diagnostic/refresh`). A pull report also carries the
//! current diagnostics of the open documents it depends on
//! (`relatedDocuments`), when the client accepts them.
//!
//! "Differ" is decided on the final diagnostics, computed from the
//! workspace by `workspace::diagnostics` exactly as pull and `check`
//! compute them, so the documents re-published are exactly those affected.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use tower_lsp_server::ls_types::{DocumentDiagnosticReportKind, FullDocumentDiagnosticReport, Uri};

use crate::workspace::Workspace;
use crate::workspace::diagnostics::depends_on;

use super::Backend;
use super::handlers::document_diagnostics;
use super::state::{lock, path_of};
use super::sync::CLIENT_ANSWER_TIMEOUT;

impl Backend {
    /// Analyse after `delay` unless a newer edit arrives first, publish
    /// (push), then bring the other open documents up to date.
    pub(crate) fn schedule(&self, uri: Uri, delay: Duration) {
        let backend = self.clone();
        let Some(handle) = self.state.doc(&uri) else {
            return;
        };
        tokio::spawn(async move {
            let state = &backend.state;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if !state.is_current(&handle) {
                return;
            }
            let Ok(doc) = state.resolve(&handle).await else {
                return;
            };
            if !state.is_current(&handle) {
                return;
            }
            if !state.client().pull_diagnostics {
                let diagnostics = document_diagnostics(&state.snapshot(), &doc);
                state.report(&uri, &diagnostics);
                backend
                    .client
                    .publish_diagnostics(uri.clone(), diagnostics, Some(doc.version))
                    .await;
            }
            // Freeing a large analysis takes a while: only after publishing.
            state.free_previous(&uri);
            backend.republish_soon(Some(&uri));
        });
    }

    /// A pull of `uri`'s diagnostics waits until its newest version is due
    /// for analysis, as its publish would: with `debounceMs` a pull would
    /// otherwise start the analysis each edit's wait is there to spare. A
    /// version analysed already (for another request) needs no wait.
    pub(crate) async fn until_analysis_due(&self, uri: &Uri) {
        while let Some(due) = self.state.analysis_due(uri) {
            if self.state.doc(uri).is_none_or(|h| h.computed().is_some()) {
                return;
            }
            tokio::time::sleep_until(due.into()).await;
        }
    }

    /// The workspace changed: publish again every open document whose
    /// diagnostics changed, or ask a pulling client to pull again.
    /// `changed`: the files whose change caused it, `None` for anything
    /// (settings, a configuration file, the folders). Documents with an
    /// edit pending are left to their own publish, and documents whose
    /// diagnostics did not change are not published again.
    pub async fn republish_affected(&self, changed: Option<&HashSet<PathBuf>>) {
        let state = &self.state;
        let client = state.client();
        let mut refresh = false;
        for handle in state.open_docs() {
            if handle.computed().is_none() {
                continue;
            }
            let Ok(doc) = state.resolve(&handle).await else {
                continue;
            };
            let snapshot = state.snapshot();
            // A configuration file reads every job on its queues.
            if let (Some(changed), Some(path)) = (changed, &doc.path)
                && !Workspace::is_config_file(path)
                && !depends_on(&snapshot.workspace, path, &doc.analysis)
                    .iter()
                    .any(|p| changed.contains(p))
            {
                continue;
            }
            let diagnostics = document_diagnostics(&snapshot, &doc);
            if !state.differs_from_reported(&doc.uri, &diagnostics) {
                continue;
            }
            if client.pull_diagnostics {
                refresh = true;
            } else if state.is_current(&handle) {
                state.report(&doc.uri, &diagnostics);
                self.client
                    .publish_diagnostics(doc.uri.clone(), diagnostics, Some(doc.version))
                    .await;
            }
        }
        if refresh && client.diagnostic_refresh {
            // Asked without waiting here: the answer comes when the client
            // has read it, which may be after many more messages of its own.
            let client = self.client.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(
                    CLIENT_ANSWER_TIMEOUT,
                    client.workspace_diagnostic_refresh(),
                )
                .await
                {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::warn!("workspace/diagnostic/refresh failed: {e}"),
                    Err(_) => {
                        tracing::warn!("the client did not answer workspace/diagnostic/refresh")
                    }
                }
            });
        }
    }

    /// Republish what `changed` (a document, `None`: anything) affects,
    /// soon and once: a burst of opens, edits, closes or file changes
    /// queues one pass over the open documents for all of them, not one
    /// pass each, which made N documents cost N² checks.
    pub fn republish_soon(&self, changed: Option<&Uri>) {
        let first = {
            let mut pending = lock(&self.state.republish);
            // Which queues a job is on, and so what it reads, is decided by
            // the configuration alone: after a configuration file's change
            // every document is checked; after another file's, those that
            // read it.
            match changed.and_then(path_of) {
                Some(path) if !Workspace::is_config_file(&path) => {
                    pending.changed.insert(path);
                }
                _ => pending.everything = true,
            }
            !std::mem::replace(&mut pending.queued, true)
        };
        if !first {
            return;
        }
        let backend = self.clone();
        self.state.background.run("republishing", async move {
            let pending = std::mem::take(&mut *lock(&backend.state.republish));
            let changed = (!pending.everything).then_some(&pending.changed);
            backend.republish_affected(changed).await;
        });
    }

    /// For a pull report of `uri`: the current diagnostics of the other open
    /// documents its diagnostics depend on (its queue environments and
    /// configuration; a configuration's environments and jobs), so that a
    /// client that pulls one of them hears of the others' changes too.
    /// `None` when there are none.
    pub async fn related_reports(
        &self,
        uri: &Uri,
    ) -> Option<HashMap<Uri, DocumentDiagnosticReportKind>> {
        let state = &self.state;
        let handle = state.doc(uri)?;
        let doc = state.resolve(&handle).await.ok()?;
        let path = doc.path.as_deref()?;
        let snapshot = state.snapshot();
        let deps = depends_on(&snapshot.workspace, path, &doc.analysis);
        let mut out = HashMap::new();
        for other in state.open_docs() {
            if other.uri == *uri || !other.path.as_ref().is_some_and(|p| deps.contains(p)) {
                continue;
            }
            let Ok(other) = state.resolve(&other).await else {
                continue;
            };
            let items = document_diagnostics(&snapshot, &other);
            state.report(&other.uri, &items);
            out.insert(
                other.uri.clone(),
                DocumentDiagnosticReportKind::Full(FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                }),
            );
        }
        (!out.is_empty()).then_some(out)
    }
}
