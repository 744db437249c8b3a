//! Editor features as pure functions of an analysis: byte offsets in, byte
//! ranges out. The server converts to and from protocol positions.

pub mod bundle;
pub mod code_actions;
pub mod completion;
pub mod context;
pub mod embedded;
pub mod expr_lexer;
pub mod fixture;
pub mod hover;
pub mod layout;
pub mod outline;
pub mod preview;
pub mod regions;
pub mod semantic_tokens;
pub mod signature;
pub mod symbols;
pub mod wrap;

#[cfg(test)]
mod string_scalar_tests;
#[cfg(test)]
mod tests;
