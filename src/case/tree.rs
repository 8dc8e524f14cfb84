//! A TOML value tree that keeps the source span of every node, so that
//! problems found deep inside a request body or an expectation can still be
//! reported at their exact place.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

/// A TOML value with spans on every nested value.
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// An array; each element keeps its span.
    Array(Vec<Node>),
    /// A table, in source order; each value keeps its span.
    Table(Vec<(String, Node)>),
}

/// A [`Tree`] and the byte span it came from.
pub type Node = Spanned<Tree>;

impl Tree {
    /// The TOML type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Tree::String(_) => "string",
            Tree::Integer(_) => "integer",
            Tree::Float(_) => "float",
            Tree::Boolean(_) => "boolean",
            Tree::Array(_) => "array",
            Tree::Table(_) => "table",
        }
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Boolean(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Integer(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        i64::try_from(v).map(Tree::Integer).map_err(|_| E::custom("integer out of range"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Tree::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Node>()?;
            // TOML dates arrive as a private single-key table; bodies are JSON,
            // which has no date type, so they are refused with a clear message.
            if key == "$__toml_private_datetime" {
                return Err(de::Error::custom(
                    "TOML dates and times are not allowed here: quote the value to send it as a string",
                ));
            }
            entries.push((key, value));
        }
        Ok(Tree::Table(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Doc {
        v: Node,
    }

    #[test]
    fn nested_values_keep_their_spans() {
        let src = "v = { a = [1, \"x\"] }\n";
        let doc: Doc = toml::from_str(src).unwrap();
        let Tree::Table(t) = doc.v.get_ref() else { panic!("table expected") };
        let Tree::Array(items) = t[0].1.get_ref() else { panic!("array expected") };
        assert_eq!(&src[items[1].span()], "\"x\"");
    }

    #[test]
    fn dates_are_refused() {
        // The loader rewords this message; see `load::toml_error`.
        let err = toml::from_str::<Doc>("v = 1979-05-27\n").err().unwrap();
        assert!(err.message().contains("expected a spanned value"), "{err}");
    }
}
