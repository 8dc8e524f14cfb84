//! Case files: the TOML format, loading `cases/`, validation with
//! `path:line:col` errors, and `{{variables}}`.
//!
//! [`load_cases`] is the entry point: it reads every file, merges each
//! folder's `suite.toml`, and returns either the [`Case`]s sorted by id or
//! every [`LoadError`] found. Nothing here touches the network.

mod discover;
mod error;
mod expect;
mod json_schema;
mod load;
mod model;
mod names;
mod schema;
mod template;
mod tree;

pub(crate) use error::LineIndex;
pub use error::{LoadError, Position};
pub use json_schema::{FileKind, json_schema};
pub use load::{
    LoadOptions, MAX_BODY_FILE_BYTES, MAX_DEPTH, MAX_EXPANDED_VALUES, MAX_FILE_BYTES, SUITE_FILE, expanded_size,
    load_bytes, load_cases,
};
pub use model::*;
pub use template::{MAX_GENERATED_BYTES, MAX_REPEAT_BYTES, Template, TemplateError};
pub(crate) use template::{reserved_name, undefined_message};
