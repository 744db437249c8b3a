//! Editor features as pure functions of an analysis: byte offsets in, byte
//! ranges out. The server converts to and from protocol positions.

pub mod completion;
pub mod context;
pub mod hover;
pub mod signature;
pub mod wrap;
