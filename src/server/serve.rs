//! Drives the language service with the messages [`transport`] has read and
//! checked, and hands what the service sends back to the writer as frames.
//!
//! This takes the place of tower-lsp-server's `Server`, which would frame
//! and parse every message a second time and whose read buffer, once a
//! large document has been opened, stays as large as that document for the
//! rest of the session. The scheduling is the same: requests and
//! notifications are called in the order they came and up to four of them
//! run at once. Two things differ:
//!
//! - Reading never waits for a free slot. The client's answers to the
//!   server's own requests are matched as soon as they are read, whatever
//!   is queued: a handler waiting for one (with a timeout) must not hold up
//!   the reading of that very answer.
//! - `exit` is called only once the calls read before it are answered (for
//!   at most [`EXIT_GRACE`]), so a `shutdown` sent just before it is always
//!   answered and counted, and the process ends with status 0.
//!
//! [`transport`]: super::transport

use std::collections::VecDeque;
use std::time::Duration;

use futures::channel::mpsc as futures_mpsc;
use futures::{FutureExt, SinkExt, StreamExt, TryFutureExt, future, stream};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService};
use tower_service::Service;

use super::transport::frame;

/// How many requests and notifications the service works on at once.
const CONCURRENCY: usize = 4;
/// Calls handed to the service ahead of those running.
const QUEUE: usize = 100;
/// Calls read and kept here while the service's queue is full. Past this
/// reading waits too: a client that floods the server is slowed down, not
/// buffered without bound.
const WAITING: usize = 10_000;
/// How long `exit` waits for the calls read before it.
pub(crate) const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Serve `service` until the client sends `exit` or its input ends.
/// `incoming` holds well-formed JSON-RPC messages (requests, notifications
/// and responses to the server's own requests); every frame for the client
/// goes to `outgoing`.
pub async fn serve<S: LanguageServer>(
    mut service: LspService<S>,
    socket: ClientSocket,
    mut incoming: mpsc::Receiver<Value>,
    outgoing: mpsc::UnboundedSender<Vec<u8>>,
) {
    let (server_requests, mut client_responses) = socket.split();
    let (server_requests, stop_server_requests) = stream::abortable(server_requests);
    let (mut calls, queued) = futures_mpsc::channel(QUEUE);
    let (done_reading, reading_done) = oneshot::channel::<()>();

    let answer = queued
        .buffer_unordered(CONCURRENCY)
        .for_each(|response: Option<Response>| {
            if let Some(response) = response {
                send(&outgoing, &response);
            }
            future::ready(())
        });
    // Once reading has stopped, the calls still running get EXIT_GRACE.
    let answer = async {
        let grace = async {
            let _ = reading_done.await;
            tokio::time::sleep(EXIT_GRACE).await;
        };
        tokio::select! {
            () = answer => {}
            () = grace => tracing::warn!("exit: calls still running after {EXIT_GRACE:?} are dropped"),
        }
    };
    let ask_client = server_requests.for_each(|request: Request| {
        send(&outgoing, &request);
        future::ready(())
    });
    let finish = async {
        let read = async {
            let mut waiting: VecDeque<Request> = VecDeque::new();
            let mut exit = None;
            let mut input_open = true;
            loop {
                let reading = input_open && exit.is_none();
                if !reading && waiting.is_empty() {
                    break;
                }
                tokio::select! {
                    biased;
                    // The oldest call read goes to the service as soon as
                    // its queue has room.
                    room = future::poll_fn(|cx| calls.poll_ready(cx)), if !waiting.is_empty() => {
                        let Some(request) = waiting.pop_front() else { continue };
                        if room.is_err() || !call(&mut service, &mut calls, request).await {
                            break;
                        }
                    }
                    message = incoming.recv(), if reading && waiting.len() < WAITING => {
                        match message {
                            None => input_open = false,
                            Some(message) if message.get("method").is_some() => {
                                match serde_json::from_value::<Request>(message) {
                                    // The protocol asks the server to stop at
                                    // `exit`; a client may keep its end of the
                                    // pipe open.
                                    Ok(request) if request.method() == "exit" => exit = Some(request),
                                    Ok(request) => waiting.push_back(request),
                                    // The transport checked its shape: not expected.
                                    Err(e) => tracing::error!("a checked request did not decode: {e}"),
                                }
                            }
                            Some(message) => match serde_json::from_value::<Response>(message) {
                                Ok(response) => {
                                    if client_responses.send(response).await.is_err() {
                                        break;
                                    }
                                }
                                Err(e) => tracing::error!("a checked response did not decode: {e}"),
                            },
                        }
                    }
                }
            }
            calls.disconnect();
            let _ = done_reading.send(());
            exit
        };
        let ((), exit) = futures::join!(answer, read);
        if let Some(exit) = exit
            && future::poll_fn(|cx| service.poll_ready(cx)).await.is_ok()
        {
            // A notification: there is no answer to send.
            let _ = service.call(exit).await;
        }
        stop_server_requests.abort();
    };
    futures::join!(ask_client, finish);
}

type Call = futures::future::BoxFuture<'static, Option<Response>>;

/// Hand `request` to the service and its answer's future to `calls`. False
/// when the service or the queue has stopped.
async fn call<S: LanguageServer>(
    service: &mut LspService<S>,
    calls: &mut futures_mpsc::Sender<Call>,
    request: Request,
) -> bool {
    if let Err(e) = future::poll_fn(|cx| service.poll_ready(cx)).await {
        tracing::error!("the service stopped: {e}");
        return false;
    }
    let answer = service.call(request).unwrap_or_else(|e| {
        tracing::error!("{e}");
        None
    });
    calls.start_send(answer.boxed()).is_ok()
}

/// A request or response, framed for the client.
fn send(outgoing: &mpsc::UnboundedSender<Vec<u8>>, message: &impl serde::Serialize) {
    match serde_json::to_vec(message) {
        Ok(bytes) => {
            let _ = outgoing.send(frame(&bytes));
        }
        Err(e) => tracing::error!("a message for the client did not serialize: {e}"),
    }
}
