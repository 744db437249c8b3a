//! openjd-lsp: analysis and editor support for Open Job Description templates.

pub mod analysis;
pub mod cli;
pub mod ide;
pub mod model;
pub mod schema;
pub mod server;
pub mod syntax;
pub mod text;
pub mod workspace;
