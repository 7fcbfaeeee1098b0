//! The app's JSON reader: text into a [`Json`] tree by one parser that is not generic, then the
//! tree into a type by [`FromJson`], derived (`yanglao-json-derive`) from the same serde
//! attributes as the type's `Deserialize`. The server reads with serde and refuses unknown
//! fields; the phone reads with this, for size: serde's per-type visitors and the parser
//! inlined into each were 140 KB of the resident wasm before wasm-opt. The round-trip tests
//! (`json/tests.rs`) hold the two readers to the same form.
//!
//! Writing a typed value stays serde's (`serde_json::to_string`): one writer, read back by
//! both readers. A tree the phone parsed is written back by [`to_text`] (no serde).

mod parse;
mod read;
#[cfg(test)]
pub(crate) mod tests;
mod write;

pub use read::{decimal_str, FromJson, JsonError, Object};
pub use write::to_text;
pub use yanglao_json_derive::FromJson;

/// A JSON value as parsed. Numbers keep their text, so an integer is read exactly and a
/// money amount never passes through a float.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Object),
}

/// Reads JSON text as `T`: the one entry point the app uses.
pub fn from_text<T: FromJson>(text: &str) -> Result<T, JsonError> {
    T::from_json(parse::parse(text)?)
}

/// Parses JSON text into a tree (RFC 8259; nesting deeper than 128 is refused).
pub fn parse(text: &str) -> Result<Json, JsonError> {
    parse::parse(text)
}
