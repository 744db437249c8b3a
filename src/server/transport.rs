//! The framing layer between the client's byte stream and the JSON-RPC
//! service: it survives any input.
//!
//! tower-lsp-server's own codec stops reading at the first frame it cannot
//! decode, which ends the server. So every frame is read here first:
//! headers leniently (names case-insensitive, `\n` or `\r\n` line ends,
//! garbage between frames skipped up to the next `Content-Length`), each
//! body checked against JSON-RPC 2.0, and only well-formed messages are
//! passed on, re-encoded in the one shape the service decodes. A body that
//! is not JSON gets a `-32700` (parse error) response, one that is JSON but
//! not a request, notification or response a `-32600` (invalid request),
//! with the request's id when it has a valid one and `null` otherwise; the
//! reading goes on. Lone UTF-16 surrogates escaped in a string (`"\ud83d"`,
//! half of an emoji as a JavaScript client may send it) are replaced by
//! U+FFFD, which keeps UTF-16 positions: both are one code unit. Requests
//! whose method starts with `$/` are answered with MethodNotFound, as the
//! protocol requires (the service would drop them silently).

use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// The largest message body read; a larger one is skipped unread and
/// answered with an error. Well above the largest document the workspace
/// reads from disk, and far below what would exhaust memory.
pub(crate) const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// Bytes of header text (or garbage) buffered while looking for the blank
/// line that ends a header block; past it the oldest bytes are dropped.
const MAX_HEADER_BYTES: usize = 64 << 10;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;

/// What the framer found in the byte stream.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A complete body.
    Body(Vec<u8>),
    /// Bytes that are not a frame: a header block without a usable
    /// `Content-Length`, or garbage before the next one.
    Garbage(String),
    /// A body larger than [`MAX_MESSAGE_BYTES`], skipped.
    TooLarge(usize),
}

enum State {
    Header,
    Body(usize),
    Skip(usize),
}

/// Splits a byte stream into frames, whatever it holds.
pub(crate) struct Framer {
    buf: Vec<u8>,
    state: State,
    /// Where the search for the end of the header block resumes.
    scanned: usize,
    /// After a bad header block its body follows with no frame around it;
    /// it is dropped without a second error.
    resyncing: bool,
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            buf: Vec::new(),
            state: State::Header,
            scanned: 0,
            resyncing: false,
        }
    }
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn rfind_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

/// The end of the header block (the index after its blank line) and where
/// the blank line starts.
fn header_end(buf: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i < buf.len() {
        if buf[i] == b'\n' {
            // `\n\n` or `\n\r\n`
            if buf.get(i + 1) == Some(&b'\n') {
                return Some((i, i + 2));
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some((i, i + 3));
            }
        }
        i += 1;
    }
    None
}

const CONTENT_LENGTH: &[u8] = b"content-length";

/// A header line `Name: value`.
fn is_header_line(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return false;
    };
    let name = line[..colon].trim_ascii();
    !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

/// The body length a header block declares.
fn content_length(block: &[u8]) -> Result<usize, String> {
    let mut length = None;
    for line in block.split(|b| *b == b'\n') {
        let line = line.trim_ascii();
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        if !line[..colon]
            .trim_ascii()
            .eq_ignore_ascii_case(CONTENT_LENGTH)
        {
            continue;
        }
        let value = String::from_utf8_lossy(line[colon + 1..].trim_ascii()).into_owned();
        let n: usize = value
            .parse()
            .map_err(|_| format!("Content-Length `{value}` is not a byte count"))?;
        if length.is_some_and(|l| l != n) {
            return Err("two different Content-Length headers".into());
        }
        length = Some(n);
    }
    length.ok_or_else(|| "a header block without Content-Length".into())
}

impl Framer {
    /// Add bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next frame, if the buffered bytes complete one.
    pub(crate) fn next_frame(&mut self) -> Option<Frame> {
        loop {
            match self.state {
                State::Skip(n) => {
                    let k = n.min(self.buf.len());
                    self.buf.drain(..k);
                    if k < n {
                        self.state = State::Skip(n - k);
                        return None;
                    }
                    self.state = State::Header;
                }
                State::Body(n) => {
                    if self.buf.len() < n {
                        return None;
                    }
                    let rest = self.buf.split_off(n);
                    let body = std::mem::replace(&mut self.buf, rest);
                    self.state = State::Header;
                    return Some(Frame::Body(body));
                }
                State::Header => {
                    if let Some(frame) = self.header()? {
                        return Some(frame);
                    }
                }
            }
        }
    }

    /// Read a header block. `None`: more bytes are needed; `Some(None)`:
    /// the state moved on; `Some(Some(frame))`: something to report.
    fn header(&mut self) -> Option<Option<Frame>> {
        let Some((blank, end)) = header_end(&self.buf, self.scanned) else {
            // Nothing but header text or garbage so far.
            if self.buf.len() > MAX_HEADER_BYTES {
                let keep = match rfind_ci(&self.buf, CONTENT_LENGTH) {
                    Some(i) if self.buf.len() - i < MAX_HEADER_BYTES => i,
                    _ => self.buf.len() - CONTENT_LENGTH.len(),
                };
                self.buf.drain(..keep);
                self.scanned = 0;
                if !std::mem::replace(&mut self.resyncing, true) {
                    return Some(Some(Frame::Garbage(
                        "bytes that are not a message header".into(),
                    )));
                }
            } else {
                self.scanned = self.buf.len().saturating_sub(2);
            }
            return None;
        };
        self.scanned = 0;
        let block = &self.buf[..blank];
        // Garbage before the header proper (the body of an unframed
        // message, stray bytes): drop it up to the line with
        // Content-Length, unless all before that are header lines.
        let mut garbage = None;
        let start = match find_ci(block, CONTENT_LENGTH) {
            Some(c) => {
                let before = &block[..c];
                let line_start = before
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |i| i + 1);
                let clean = before[line_start..].trim_ascii().is_empty()
                    && before[..line_start]
                        .split(|b| *b == b'\n')
                        .map(|l| l.trim_ascii())
                        .all(|l| l.is_empty() || is_header_line(l));
                if clean {
                    0
                } else {
                    let junk = &before[..c];
                    if !junk.trim_ascii().is_empty() {
                        garbage = Some(c);
                    }
                    c
                }
            }
            None => {
                let junk = block.trim_ascii().is_empty();
                self.buf.drain(..end);
                if junk || std::mem::replace(&mut self.resyncing, true) {
                    return Some(None);
                }
                return Some(Some(Frame::Garbage(
                    "a header block without Content-Length".into(),
                )));
            }
        };
        let length = content_length(&block[start..]);
        self.buf.drain(..end);
        let was_resyncing = std::mem::replace(&mut self.resyncing, false);
        let report_garbage = garbage.is_some() && !was_resyncing;
        match length {
            Ok(n) if n > MAX_MESSAGE_BYTES => {
                self.state = State::Skip(n);
                Some(Some(Frame::TooLarge(n)))
            }
            Ok(n) => {
                self.state = State::Body(n);
                report_garbage
                    .then(|| Frame::Garbage("bytes before a message header".into()))
                    .map_or(Some(None), |f| Some(Some(f)))
            }
            Err(message) => {
                self.resyncing = true;
                Some(Some(Frame::Garbage(message)))
            }
        }
    }
}

/// Replace escaped lone UTF-16 surrogates (`\ud83d` not followed by a low
/// surrogate, or a low one alone) with `\ufffd`. `None` when there are none.
pub(crate) fn repair_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    fn hex4(b: &[u8]) -> Option<u16> {
        let s = std::str::from_utf8(b.get(..4)?).ok()?;
        u16::from_str_radix(s, 16).ok()
    }
    let is_high = |u: u16| (0xD800..0xDC00).contains(&u);
    let is_low = |u: u16| (0xDC00..0xE000).contains(&u);
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    let mut copied = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        if body.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let Some(unit) = hex4(&body[i + 2..]) else {
            i += 2;
            continue;
        };
        if is_high(unit) {
            let next = body.get(i + 6..i + 8) == Some(b"\\u".as_slice());
            if next && hex4(&body[i + 8..]).is_some_and(is_low) {
                i += 12;
                continue;
            }
        } else if !is_low(unit) {
            i += 6;
            continue;
        }
        let o = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
        o.extend_from_slice(&body[copied..i]);
        o.extend_from_slice(b"\\ufffd");
        i += 6;
        copied = i;
    }
    out.map(|mut o| {
        o.extend_from_slice(&body[copied..]);
        o
    })
}

/// What to do with one body.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Pass this message on (re-encoded).
    Forward(Value),
    /// Answer the client with this error response.
    Reply(Value),
    /// Drop it (a malformed response to one of our requests: there is
    /// nobody to tell), with the reason for the log.
    Drop(String),
}

fn error_response(id: Value, code: i64, message: impl Into<String>) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message.into()}})
}

/// A request id the service can take: an integer that fits 64 bits, a
/// string, or null.
fn valid_id(id: &Value) -> bool {
    match id {
        Value::Number(n) => n.is_i64(),
        Value::String(_) | Value::Null => true,
        _ => false,
    }
}

/// Judge one body by JSON-RPC 2.0 and the protocol.
pub(crate) fn judge(body: &[u8]) -> Verdict {
    let repaired = repair_surrogates(body);
    let value: Value = match serde_json::from_slice(repaired.as_deref().unwrap_or(body)) {
        Ok(v) => v,
        Err(e) => {
            return Verdict::Reply(error_response(
                Value::Null,
                PARSE_ERROR,
                format!("Parse error: {e}"),
            ));
        }
    };
    let Value::Object(mut msg) = value else {
        let what = match value {
            Value::Array(_) => {
                "a batch (an array), which the Language Server Protocol does not use"
            }
            Value::Null => "null",
            _ => "not an object",
        };
        return Verdict::Reply(error_response(
            Value::Null,
            INVALID_REQUEST,
            format!("Invalid request: the message is {what}"),
        ));
    };
    let id = msg.remove("id");
    let id_ok = id.as_ref().is_none_or(valid_id);
    let reply_id = match &id {
        Some(id) if id_ok => id.clone(),
        _ => Value::Null,
    };
    let invalid = |why: &str| {
        Verdict::Reply(error_response(
            reply_id.clone(),
            INVALID_REQUEST,
            format!("Invalid request: {why}"),
        ))
    };
    if msg.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid("`jsonrpc` must be \"2.0\"");
    }
    if !id_ok {
        return invalid("the id must be an integer of at most 64 bits or a string");
    }
    match msg.remove("method") {
        Some(Value::String(method)) => {
            // `null` params are out of the letter of JSON-RPC but common
            // (`shutdown`, `exit`): read as absent.
            let params = msg.remove("params").filter(|p| !p.is_null());
            if params
                .as_ref()
                .is_some_and(|p| !(p.is_object() || p.is_array()))
            {
                return invalid("`params` must be an object or an array");
            }
            if let Some(id) = &id
                && method.starts_with("$/")
            {
                return Verdict::Reply(error_response(
                    id.clone(),
                    METHOD_NOT_FOUND,
                    format!("Method not found: {method}"),
                ));
            }
            let mut out = Map::new();
            out.insert("jsonrpc".into(), "2.0".into());
            out.insert("method".into(), Value::String(method));
            if let Some(p) = params {
                out.insert("params".into(), p);
            }
            if let Some(id) = id {
                out.insert("id".into(), id);
            }
            Verdict::Forward(Value::Object(out))
        }
        Some(_) => invalid("`method` must be a string"),
        None => {
            // A response to one of our requests.
            let Some(id) = id else {
                return invalid("neither a method nor an id");
            };
            let mut out = Map::new();
            out.insert("jsonrpc".into(), "2.0".into());
            match (msg.remove("result"), msg.remove("error")) {
                (Some(result), None) => {
                    out.insert("result".into(), result);
                }
                (None, Some(Value::Object(error))) => {
                    let code = error.get("code").and_then(Value::as_i64);
                    let message = error.get("message").and_then(Value::as_str);
                    let (Some(code), Some(message)) = (code, message) else {
                        return Verdict::Drop(format!(
                            "an error response to request {id} without a valid code and message"
                        ));
                    };
                    let mut e = Map::new();
                    e.insert("code".into(), code.into());
                    e.insert("message".into(), message.into());
                    if let Some(data) = error.get("data") {
                        e.insert("data".into(), data.clone());
                    }
                    out.insert("error".into(), Value::Object(e));
                }
                _ => {
                    return Verdict::Drop(format!(
                        "a response to request {id} with neither a result nor an error, or both"
                    ));
                }
            }
            out.insert("id".into(), id);
            Verdict::Forward(Value::Object(out))
        }
    }
}

pub(crate) fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Read the client's stream, pass well-formed messages on to `service` and
/// send the answers to malformed ones to `replies`. Returns at the end of
/// the input or when the service stops taking messages.
pub async fn read_client(
    mut input: impl AsyncRead + Unpin,
    service: mpsc::Sender<Value>,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut framer = Framer::default();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        while let Some(f) = framer.next_frame() {
            let reply = match f {
                Frame::Body(body) => match judge(&body) {
                    Verdict::Forward(message) => {
                        drop(body);
                        if service.send(message).await.is_err() {
                            return;
                        }
                        continue;
                    }
                    Verdict::Reply(reply) => {
                        tracing::warn!(
                            "malformed message answered with an error: {}",
                            reply["error"]["message"]
                        );
                        reply
                    }
                    Verdict::Drop(why) => {
                        tracing::warn!("dropped {why}");
                        continue;
                    }
                },
                Frame::Garbage(what) => {
                    tracing::warn!("skipped {what}");
                    error_response(Value::Null, PARSE_ERROR, format!("Parse error: {what}"))
                }
                Frame::TooLarge(n) => {
                    tracing::warn!("skipped a message of {n} bytes");
                    error_response(
                        Value::Null,
                        INVALID_REQUEST,
                        format!(
                            "Invalid request: a message of {n} bytes is larger than the {MAX_MESSAGE_BYTES} bytes this server reads"
                        ),
                    )
                }
            };
            if let Ok(bytes) = serde_json::to_vec(&reply) {
                let _ = replies.send(frame(&bytes));
            }
        }
        match input.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => framer.push(&chunk[..n]),
        }
    }
}

/// Write the service's frames to the client, with the replies to malformed
/// messages between them, whole frames at a time. Returns when the service
/// has stopped sending, after writing what is left.
pub async fn write_client(
    mut service: mpsc::UnboundedReceiver<Vec<u8>>,
    mut replies: mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: impl AsyncWrite + Unpin,
) {
    let mut replies_open = true;
    loop {
        let bytes = tokio::select! {
            sent = service.recv() => match sent {
                Some(bytes) => bytes,
                None => break,
            },
            reply = replies.recv(), if replies_open => match reply {
                Some(bytes) => bytes,
                None => {
                    replies_open = false;
                    continue;
                }
            },
        };
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    while let Ok(bytes) = replies.try_recv() {
        let _ = output.write_all(&bytes).await;
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut f = Framer::default();
        let mut out = Vec::new();
        // Byte by byte, so every split point of a frame is exercised.
        for b in input {
            f.push(std::slice::from_ref(b));
            while let Some(x) = f.next_frame() {
                out.push(x);
            }
        }
        out
    }

    fn body(s: &str) -> Frame {
        Frame::Body(s.as_bytes().to_vec())
    }

    #[test]
    fn header_names_are_case_insensitive_and_line_ends_lenient() {
        assert_eq!(
            frames(b"content-length: 2\r\n\r\n{}CONTENT-LENGTH:2\n\n[]"),
            [body("{}"), body("[]")]
        );
        assert_eq!(
            frames(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}"),
            [body("{}")]
        );
    }

    #[test]
    fn a_header_without_length_is_reported_once_and_reading_resumes() {
        assert_eq!(
            frames(b"Content-Type: x\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\n{}"),
            [
                Frame::Garbage("a header block without Content-Length".into()),
                body("{}")
            ]
        );
        assert_eq!(
            frames(b"Content-Length: ten\r\n\r\n{}Content-Length: 2\r\n\r\n{}"),
            [
                Frame::Garbage("Content-Length `ten` is not a byte count".into()),
                body("{}")
            ]
        );
    }

    #[test]
    fn garbage_before_a_header_is_skipped() {
        assert_eq!(
            frames(b"hello\x00\xffContent-Length: 2\r\n\r\n{}"),
            [
                Frame::Garbage("bytes before a message header".into()),
                body("{}")
            ]
        );
        let mut long = vec![b'x'; MAX_HEADER_BYTES * 3];
        long.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        let got = frames(&long);
        assert_eq!(got.last(), Some(&body("{}")), "{got:?}");
        assert_eq!(got.len(), 2, "one report for the garbage: {got:?}");
    }

    #[test]
    fn an_oversized_body_is_skipped_without_buffering() {
        let mut f = Framer::default();
        f.push(format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1).as_bytes());
        assert_eq!(f.next_frame(), Some(Frame::TooLarge(MAX_MESSAGE_BYTES + 1)));
        for _ in 0..(MAX_MESSAGE_BYTES >> 20) {
            f.push(&vec![b' '; 1 << 20]);
            assert_eq!(f.next_frame(), None);
            assert!(f.buf.is_empty());
        }
        f.push(b" Content-Length: 2\r\n\r\n{}");
        assert_eq!(f.next_frame(), Some(body("{}")));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let fix = |s: &str| repair_surrogates(s.as_bytes()).map(|v| String::from_utf8(v).unwrap());
        assert_eq!(
            fix(r#"{"t":"\ud83d"}"#).as_deref(),
            Some(r#"{"t":"\ufffd"}"#)
        );
        assert_eq!(
            fix(r#"{"t":"\ude00x"}"#).as_deref(),
            Some(r#"{"t":"\ufffdx"}"#)
        );
        assert_eq!(
            fix(r#"{"t":"\ud83d\ud83d\ude00"}"#).as_deref(),
            Some(r#"{"t":"\ufffd\ud83d\ude00"}"#)
        );
        // Whole pairs, escaped backslashes and other escapes stay.
        assert_eq!(fix(r#"{"t":"\ud83d\ude00 \\ud83d \n \u00e9"}"#), None);
    }

    fn verdict(body: &str) -> Verdict {
        judge(body.as_bytes())
    }

    fn reply(id: Value, code: i64) -> impl Fn(&Verdict) -> bool {
        move |v| matches!(v, Verdict::Reply(r) if r["id"] == id && r["error"]["code"] == code)
    }

    #[test]
    fn malformed_bodies_get_json_rpc_errors() {
        let parse = reply(Value::Null, PARSE_ERROR);
        let invalid_null = reply(Value::Null, INVALID_REQUEST);
        assert!(parse(&verdict("{")));
        assert!(parse(&judge(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}")));
        for body in [
            "null",
            "[]",
            r#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#,
            "42",
            r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":1180591620717411303424,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":[1],"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0"}"#,
        ] {
            assert!(invalid_null(&verdict(body)), "{body}: {:?}", verdict(body));
        }
        let invalid_7 = reply(json!(7), INVALID_REQUEST);
        for body in [
            r#"{"jsonrpc":"1.0","id":7,"method":"shutdown"}"#,
            r#"{"id":7,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":7,"method":5}"#,
            r#"{"jsonrpc":"2.0","id":7,"method":"x","params":"p"}"#,
        ] {
            assert!(invalid_7(&verdict(body)), "{body}: {:?}", verdict(body));
        }
        assert!(reply(json!("a"), METHOD_NOT_FOUND)(&verdict(
            r#"{"jsonrpc":"2.0","id":"a","method":"$/unknown"}"#
        )));
    }

    #[test]
    fn good_messages_pass_in_one_canonical_shape() {
        assert_eq!(
            verdict(r#"{"id":3,"method":"shutdown","jsonrpc":"2.0","extra":1,"id":4}"#),
            Verdict::Forward(json!({"jsonrpc":"2.0","method":"shutdown","id":4}))
        );
        // `$/` notifications go through; the service handles or ignores them.
        assert_eq!(
            verdict(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#),
            Verdict::Forward(json!({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}))
        );
        assert_eq!(
            verdict(r#"{"jsonrpc":"2.0","id":0,"result":null}"#),
            Verdict::Forward(json!({"jsonrpc":"2.0","id":0,"result":null}))
        );
        assert!(matches!(
            verdict(r#"{"jsonrpc":"2.0","id":0,"error":{"code":"x"}}"#),
            Verdict::Drop(_)
        ));
        assert_eq!(
            verdict(r#"{"jsonrpc":"2.0","method":"didChange","params":{"t":"a\ud83d"}}"#),
            Verdict::Forward(
                json!({"jsonrpc":"2.0","method":"didChange","params":{"t":"a\u{fffd}"}})
            )
        );
    }
}
