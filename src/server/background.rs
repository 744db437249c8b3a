//! Work that notifications start and that must not hold one of the request
//! slots: reading changed files, walking added folders, reloading settings.
//! A notification's handler queues it and returns at once; the queue runs
//! one job at a time, in the order the notifications came, so that two
//! folder changes or two settings changes never overtake each other.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;

#[derive(Default)]
pub(crate) struct Background {
    jobs: OnceLock<mpsc::UnboundedSender<BoxFuture<'static, ()>>>,
}

impl Background {
    /// Queue `job` behind those queued before it. Called from a handler, so
    /// inside the server's runtime, where the queue's worker starts.
    pub fn run(&self, what: &'static str, job: impl Future<Output = ()> + Send + 'static) {
        let jobs = self.jobs.get_or_init(|| {
            let (tx, mut rx) = mpsc::unbounded_channel::<BoxFuture<'static, ()>>();
            tokio::spawn(async move {
                while let Some(job) = rx.recv().await {
                    job.await;
                }
            });
            tx
        });
        // A job that fails must not stop the jobs after it.
        let job = AssertUnwindSafe(job).catch_unwind().map(move |outcome| {
            if outcome.is_err() {
                tracing::error!("{what} failed; the server goes on without it");
            }
        });
        if jobs.send(job.boxed()).is_err() {
            tracing::error!("{what} not run: the server is stopping");
        }
    }
}
