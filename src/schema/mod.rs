//! One declarative table of the 2023-09 schema, read by validation,
//! completion and hover alike.

pub mod lookup;
pub mod table;
pub mod types;

pub use table::*;
pub use types::*;
