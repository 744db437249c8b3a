//! Keeping the state in step with the client: document sync, the
//! workspace folders and their files (indexing, watched files), settings.
//! Each change ends in `republish_soon` (see `publish`).

use std::time::Duration;

use tower_lsp_server::ls_types::*;
use tracing_subscriber::EnvFilter;

use crate::workspace::Workspace;

use super::Backend;
use super::config::Config;
use super::state::path_of;

/// How long the server waits for the client's answer to a request of its
/// own (progress, settings, registrations, refresh) before it goes on
/// without it. No handler holds a request slot while it waits.
pub(crate) const CLIENT_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

impl Backend {
    pub async fn did_open_document(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.state
            .open(doc.uri.clone(), &doc.text, doc.version, &doc.language_id);
        self.schedule(doc.uri, Duration::ZERO);
    }

    pub async fn did_change_document(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        if !self.state.change(&uri, &params.content_changes, version) {
            tracing::warn!(
                "didChange for a document that is not open: {}",
                uri.as_str()
            );
            return;
        }
        let debounce = self.state.config().diagnostics.debounce_ms;
        let delay = self.state.wait_after_edit(&uri, debounce);
        self.schedule(uri, delay);
    }

    pub async fn did_close_document(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state.close(&uri);
        if !self.state.client().pull_diagnostics {
            self.client
                .publish_diagnostics(uri.clone(), Vec::new(), None)
                .await;
        }
        // The file on disk now stands for it (unless it was opened again
        // meanwhile): others may depend on that.
        if let Some(path) = path_of(&uri) {
            let state = self.state.clone();
            self.state
                .background
                .run("reading a closed file", async move {
                    if state.doc(&uri).is_none() {
                        let _ = tokio::task::spawn_blocking(move || state.restore_from_disk(&path))
                            .await;
                    }
                });
        }
        self.republish_soon(None);
    }

    pub async fn watched_files_changed(&self, params: DidChangeWatchedFilesParams) {
        let backend = self.clone();
        self.state
            .background
            .run("reading changed files", async move {
                backend.read_changed_files(params).await;
            });
    }

    async fn read_changed_files(&self, params: DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Some(path) = path_of(&change.uri) else {
                continue;
            };
            // A configuration file is read again below; an open buffer wins
            // over the file on disk.
            if Workspace::is_config_file(&path) || self.state.doc(&change.uri).is_some() {
                continue;
            }
            if change.typ == FileChangeType::DELETED {
                self.state.update_workspace(|ws| ws.remove(&path));
            } else {
                // Read and analyse off the request path and outside the
                // workspace lock: requests on other files go on meanwhile.
                let state = self.state.clone();
                let _ = tokio::task::spawn_blocking(move || state.index_from_disk(&path)).await;
            }
        }
        // Reload even when only templates changed: the configuration's
        // missing-file checks look at the disk.
        self.state.reload_queues();
        self.republish_soon(None);
    }

    pub async fn workspace_folders_changed(&self, params: DidChangeWorkspaceFoldersParams) {
        let backend = self.clone();
        self.state
            .background
            .run("indexing workspace folders", async move {
                backend.change_folders(params).await;
            });
    }

    async fn change_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let mut roots = self.state.roots();
        roots.retain(|r| {
            !params
                .event
                .removed
                .iter()
                .any(|f| path_of(&f.uri).as_ref() == Some(r))
        });
        roots.extend(params.event.added.iter().filter_map(|f| path_of(&f.uri)));
        self.state.set_roots(roots);
        self.index_workspace().await;
    }

    pub async fn configuration_changed(&self, params: DidChangeConfigurationParams) {
        let backend = self.clone();
        self.state.background.run("applying settings", async move {
            backend.change_configuration(params).await;
        });
    }

    async fn change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_null() || params.settings.as_object().is_some_and(|m| m.is_empty()) {
            self.pull_config().await;
        } else {
            self.apply_config(&params.settings).await;
        }
        self.state.reload_queues();
        self.republish_soon(None);
    }

    /// Index the workspace folders, reporting progress, then read the
    /// queue configuration.
    pub async fn index_workspace(&self) {
        let roots = self.state.roots();
        let token = ProgressToken::String("openjd-lsp/indexing".into());
        let progress = if self.state.client().progress {
            let created = tokio::time::timeout(
                CLIENT_ANSWER_TIMEOUT,
                self.client.send_request::<request::WorkDoneProgressCreate>(
                    WorkDoneProgressCreateParams {
                        token: token.clone(),
                    },
                ),
            )
            .await;
            match created {
                Ok(Ok(())) => Some(
                    self.client
                        .progress(token, "Indexing OpenJD templates")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                // No answer in time, or a refusal: index without progress.
                Ok(Err(_)) | Err(_) => None,
            }
        } else {
            None
        };
        let limits = self.state.config().files.index_limits();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let job = tokio::task::spawn_blocking(move || {
            Workspace::index(roots, &limits, &mut |done, total| {
                let _ = tx.send((done, total));
            })
        });
        while let Some((done, total)) = rx.recv().await {
            if let Some(p) = &progress {
                let pct = (done * 100).checked_div(total).unwrap_or(100) as u32;
                p.report_with_message(format!("{done}/{total} files"), pct)
                    .await;
            }
        }
        // Indexing reads every file once: what it freed goes back now.
        self.state.memory.release_soon();
        match job.await {
            Ok(mut ws) => {
                // Open buffers win over the files on disk.
                for (path, analysis) in self.state.computed_analyses() {
                    ws.update_analysis(&path, &analysis);
                }
                let count = ws.files.len();
                let notices = std::mem::take(&mut ws.notices);
                self.state.set_workspace(ws);
                for notice in notices {
                    tracing::warn!("{notice}");
                    self.client
                        .show_message(MessageType::WARNING, format!("openjd-lsp: {notice}"))
                        .await;
                }
                self.state.reload_queues();
                tracing::info!("indexed {count} templates");
                if let Some(p) = progress {
                    p.finish_with_message(format!("{count} templates")).await;
                }
            }
            Err(e) => tracing::error!("indexing failed: {e}"),
        }
        self.republish_soon(None);
    }

    pub async fn register_watchers(&self) {
        if !self.state.client().watch_registration {
            return;
        }
        let watchers: Vec<FileSystemWatcher> = ["**/*.yaml", "**/*.yml", "**/*.json"]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*g).into()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "openjd-lsp/watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        match tokio::time::timeout(
            CLIENT_ANSWER_TIMEOUT,
            self.client.register_capability(vec![registration]),
        )
        .await
        {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("could not register file watchers: {e}"),
            Err(_) => tracing::warn!("the client did not answer the file watchers' registration"),
        }
    }

    pub async fn apply_config(&self, value: &serde_json::Value) {
        let unknown = Config::unknown_keys(value);
        if !unknown.is_empty() {
            tracing::warn!("ignoring unknown openjd settings: {}", unknown.join(", "));
        }
        match Config::from_client(value) {
            Ok(Some(config)) => {
                if let Some(handle) = &self.state.log
                    && let Ok(filter) = EnvFilter::try_new(&config.log.level)
                {
                    let _ = handle.reload(filter);
                }
                tracing::info!("settings: {config:?}");
                crate::workspace::files::set_max_file_bytes(
                    config.files.max_size_mib.saturating_mul(1 << 20),
                );
                self.state.set_config(config);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!("{e}");
                self.client
                    .show_message(
                        MessageType::WARNING,
                        format!("openjd-lsp: {e}; keeping the previous settings"),
                    )
                    .await;
            }
        }
    }

    /// Ask the client for the `openjd` settings, if it said it answers
    /// such requests; a client that does not answer within a few seconds
    /// keeps the settings it gave at initialization.
    pub async fn pull_config(&self) {
        if !self.state.client().configuration {
            return;
        }
        let items = vec![ConfigurationItem {
            scope_uri: None,
            section: Some("openjd".into()),
        }];
        let answer =
            tokio::time::timeout(CLIENT_ANSWER_TIMEOUT, self.client.configuration(items)).await;
        if let Ok(Ok(values)) = answer
            && let Some(v) = values.into_iter().next()
        {
            self.apply_config(&v).await;
        }
    }
}
