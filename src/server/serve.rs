//! Drives the language service with the messages [`transport`] has read and
//! checked, and hands what the service sends back to the writer as frames.
//!
//! This takes the place of tower-lsp-server's `Server`, which would frame
//! and parse every message a second time and whose read buffer, once a
//! large document has been opened, stays as large as that document for the
//! rest of the session. The scheduling is the same: requests and
//! notifications are called in the order they came, up to four of them
//! run at once, and reading stops after `exit`.
//!
//! [`transport`]: super::transport

use futures::channel::mpsc as futures_mpsc;
use futures::{FutureExt, SinkExt, StreamExt, TryFutureExt, future, stream};
use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService};
use tower_service::Service;

use super::transport::frame;

/// How many requests and notifications the service works on at once.
const CONCURRENCY: usize = 4;
/// Calls read ahead of those running, before reading waits.
const QUEUE: usize = 100;

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

    let answer = queued
        .buffer_unordered(CONCURRENCY)
        .for_each(|response: Option<Response>| {
            if let Some(response) = response {
                send(&outgoing, &response);
            }
            future::ready(())
        });
    let ask_client = server_requests.for_each(|request: Request| {
        send(&outgoing, &request);
        future::ready(())
    });
    let read = async {
        while let Some(message) = incoming.recv().await {
            if message.get("method").is_some() {
                let request: Request = match serde_json::from_value(message) {
                    Ok(request) => request,
                    Err(e) => {
                        // The transport checked its shape: not expected.
                        tracing::error!("a checked request did not decode: {e}");
                        continue;
                    }
                };
                if let Err(e) = future::poll_fn(|cx| service.poll_ready(cx)).await {
                    tracing::error!("the service stopped: {e}");
                    break;
                }
                // The protocol asks the server to stop at `exit`; a client
                // may keep its end of the pipe open.
                let exit = request.method() == "exit";
                let call = service.call(request).unwrap_or_else(|e| {
                    tracing::error!("{e}");
                    None
                });
                if calls.send(call.boxed()).await.is_err() || exit {
                    break;
                }
            } else {
                match serde_json::from_value::<Response>(message) {
                    Ok(response) => {
                        if client_responses.send(response).await.is_err() {
                            break;
                        }
                    }
                    Err(e) => tracing::error!("a checked response did not decode: {e}"),
                }
            }
        }
        calls.disconnect();
        stop_server_requests.abort();
    };
    futures::join!(answer, ask_client, read);
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
