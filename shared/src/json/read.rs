//! A [`Json`] tree into Rust values: the [`FromJson`] trait, its impls for the wire's leaf types
//! (strings, integers, booleans, UUIDs, decimals, options, lists), and [`Object`], from which a
//! derived impl takes its fields by name. Kept small on purpose: every generic here is
//! instantiated per type in the phone's wasm, so each does one call into code that is not.

use std::fmt;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::Json;

/// Why a value could not be read, with the field path that led to it (`at intents[0].state`).
/// Boxed: a `Result` of it is one pointer wider than its value, which keeps every derived
/// reader's code small (errors are rare; reading is not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(Box<Failure>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure {
    message: String,
    path: String,
}

impl JsonError {
    #[cold]
    pub fn custom(message: impl fmt::Display) -> Self {
        Self::new(message.to_string())
    }

    #[cold]
    #[inline(never)]
    fn new(message: String) -> Self {
        Self(Box::new(Failure {
            message,
            path: String::new(),
        }))
    }

    #[cold]
    #[inline(never)]
    fn expected(what: &str, got: &Json) -> Self {
        let got = match got {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        };
        Self::custom(format!("invalid type: {got}, expected {what}"))
    }

    #[cold]
    #[inline(never)]
    pub fn missing_field(field: &str) -> Self {
        Self::custom(format!("missing field `{field}`"))
    }

    #[cold]
    #[inline(never)]
    pub fn unknown_variant(name: &str) -> Self {
        Self::custom(format!("unknown variant `{name}`"))
    }

    /// The same error, one step further from the root (a field name or `[index]`).
    #[cold]
    #[inline(never)]
    fn at(mut self, step: &str) -> Self {
        let path = &mut self.0.path;
        let sep = if path.is_empty() || path.starts_with('[') {
            ""
        } else {
            "."
        };
        *path = format!("{step}{sep}{path}");
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let Failure { message, path } = &*self.0;
        if path.is_empty() {
            f.write_str(message)
        } else {
            write!(f, "{message} at {path}")
        }
    }
}

impl std::error::Error for JsonError {}

/// A value that can be read from a [`Json`] tree (derive it: `#[derive(FromJson)]`).
pub trait FromJson: Sized {
    fn from_json(value: Json) -> Result<Self, JsonError>;

    /// What an absent field reads as: an error, but `None` for an option (as serde does).
    fn missing(field: &str) -> Result<Self, JsonError> {
        Err(JsonError::missing_field(field))
    }
}

/// A JSON object's entries, in their order; a derived impl takes each field out by name.
/// Unknown fields are left behind and ignored; of a repeated key the first is read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object(Vec<(String, Json)>);

impl Object {
    pub fn new(entries: Vec<(String, Json)>) -> Self {
        Self(entries)
    }

    pub fn into_entries(self) -> Vec<(String, Json)> {
        self.0
    }

    pub fn entries(&self) -> &[(String, Json)] {
        &self.0
    }

    /// The value under `key`, left in place (of a repeated key the first, as `take`).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Takes the value under `key` out of the object, if there is one.
    #[inline(never)]
    pub fn take(&mut self, key: &str) -> Option<Json> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// A field read by `read`, or, when absent, what `absent` says (an error or a default).
    fn read<T>(
        &mut self,
        key: &str,
        read: fn(Json) -> Result<T, JsonError>,
        absent: impl FnOnce() -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        match self.take(key) {
            Some(value) => read(value).map_err(|e| e.at(key)),
            None => absent(),
        }
    }

    #[inline(never)]
    pub fn field<T: FromJson>(&mut self, key: &str) -> Result<T, JsonError> {
        self.read(key, T::from_json, || T::missing(key))
    }

    /// `#[serde(default)]`: an absent field is the type's default.
    #[inline(never)]
    pub fn field_or_default<T: FromJson + Default>(&mut self, key: &str) -> Result<T, JsonError> {
        self.read(key, T::from_json, || Ok(T::default()))
    }

    /// `#[serde(with = "module")]`: read by the module's `from_json`.
    #[inline(never)]
    pub fn field_with<T>(
        &mut self,
        key: &str,
        read: fn(Json) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        self.read(key, read, || Err(JsonError::missing_field(key)))
    }

    /// `#[serde(default, with = "module")]`.
    #[inline(never)]
    pub fn field_with_or_default<T: Default>(
        &mut self,
        key: &str,
        read: fn(Json) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        self.read(key, read, || Ok(T::default()))
    }
}

impl Json {
    pub fn into_object(self) -> Result<Object, JsonError> {
        match self {
            Json::Obj(object) => Ok(object),
            other => Err(JsonError::expected("an object", &other)),
        }
    }

    /// An externally tagged enum's `{"Variant": content}`.
    pub fn into_single_entry(self) -> Result<(String, Json), JsonError> {
        match self {
            Json::Obj(Object(mut entries)) if entries.len() == 1 => Ok(entries.remove(0)),
            other => Err(JsonError::expected(
                "a variant name or a one-entry object",
                &other,
            )),
        }
    }

    pub fn into_string(self) -> Result<String, JsonError> {
        match self {
            Json::Str(s) => Ok(s),
            other => Err(JsonError::expected("a string", &other)),
        }
    }

    /// An integer's text: a number without fraction or exponent.
    pub fn into_integer_text(self) -> Result<String, JsonError> {
        match self {
            Json::Num(n) if !n.contains(['.', 'e', 'E']) => Ok(n),
            other => Err(JsonError::expected("an integer", &other)),
        }
    }
}

impl FromJson for Json {
    fn from_json(value: Json) -> Result<Self, JsonError> {
        Ok(value)
    }
}

impl FromJson for String {
    fn from_json(value: Json) -> Result<Self, JsonError> {
        value.into_string()
    }
}

impl FromJson for bool {
    fn from_json(value: Json) -> Result<Self, JsonError> {
        match value {
            Json::Bool(b) => Ok(b),
            other => Err(JsonError::expected("a boolean", &other)),
        }
    }
}

/// Every integer through one `i128` read, then a range check per type.
fn integer(value: Json) -> Result<i128, JsonError> {
    let text = value.into_integer_text()?;
    text.parse::<i128>()
        .map_err(|_| JsonError::custom(format!("invalid value: {text}, expected an integer")))
}

macro_rules! integers {
    ($($ty:ty),*) => {$(
        impl FromJson for $ty {
            fn from_json(value: Json) -> Result<Self, JsonError> {
                let n = integer(value)?;
                <$ty>::try_from(n).map_err(|_| JsonError::custom(format!(
                    "invalid value: {n}, out of range for {}", stringify!($ty)
                )))
            }
        }
    )*};
}
integers!(u8, u16, u32, u64, usize, i32, i64);

impl FromJson for Uuid {
    fn from_json(value: Json) -> Result<Self, JsonError> {
        let text = value.into_string()?;
        Uuid::parse_str(&text).map_err(|_| JsonError::custom(format!("not a UUID: {text}")))
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: Json) -> Result<Self, JsonError> {
        match value {
            Json::Null => Ok(None),
            value => T::from_json(value).map(Some),
        }
    }

    fn missing(_: &str) -> Result<Self, JsonError> {
        Ok(None)
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Json) -> Result<Self, JsonError> {
        let items = array_items(value)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            match T::from_json(item) {
                Ok(value) => out.push(value),
                Err(e) => return Err(at_item(e, i)),
            }
        }
        Ok(out)
    }
}

/// The parts of reading a list that do not depend on its items' type, out of line: the list
/// readers are one per item type.
#[inline(never)]
fn array_items(value: Json) -> Result<Vec<Json>, JsonError> {
    match value {
        Json::Arr(items) => Ok(items),
        other => Err(JsonError::expected("an array", &other)),
    }
}

#[inline(never)]
fn at_item(e: JsonError, i: usize) -> JsonError {
    e.at(&format!("[{i}]"))
}

/// `rust_decimal::serde::str`'s form: a decimal as a string ("0.08").
pub mod decimal_str {
    use super::*;

    pub fn from_json(value: Json) -> Result<Decimal, JsonError> {
        let text = value.into_string()?;
        crate::money::plain_decimal(&text)
            .ok_or_else(|| JsonError::custom(format!("not a decimal: {text}")))
    }
}

/// A pair, written as a two-item array (serde's form of a tuple).
impl<A: FromJson, B: FromJson> FromJson for (A, B) {
    fn from_json(value: Json) -> Result<Self, JsonError> {
        match value {
            Json::Arr(items) if items.len() == 2 => {
                let mut items = items.into_iter();
                let a = items.next().map(A::from_json).transpose()?;
                let b = items.next().map(B::from_json).transpose()?;
                a.zip(b).ok_or_else(|| JsonError::custom("expected a pair"))
            }
            other => Err(JsonError::expected("a two-item array", &other)),
        }
    }
}
