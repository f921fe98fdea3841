//! Splitting a query string (or an `application/x-www-form-urlencoded` body) into decoded pairs.

use std::borrow::Cow;
use std::ops::Range;

use super::quoted;
use crate::encoding::codec_error;
use crate::errors::Error;

/// The pairs of a query string or form body, decoded, in order.
///
/// Splits on `&`, then at the first `=` (a pair without `=` has the value `""`); pairs with an
/// empty name are dropped. Names and values are percent-decoded with `+` as a space (`%2B` is a
/// plus); a malformed escape or bytes that are not UTF-8 after decoding make that pair an error
/// (`400`, reason `CODEC`). Nothing is copied unless it has something to decode.
///
/// ```
/// use kratos::transport::http::binding::QueryPairs;
///
/// let mut pairs = QueryPairs::new("page.size=10&tags[]=a&labels[env]=prod+eu");
/// let pair = pairs.next().unwrap().unwrap();
/// assert_eq!((pair.name(), pair.value()), ("page.size", "10"));
/// assert_eq!(pair.path().collect::<Vec<_>>(), ["page", "size"]);
/// let pair = pairs.next().unwrap().unwrap();
/// assert!(pair.is_append());
/// assert_eq!((pair.name(), pair.value()), ("tags", "a"));
/// let pair = pairs.next().unwrap().unwrap();
/// assert_eq!((pair.name(), pair.map_key(), pair.value()), ("labels", Some("env"), "prod eu"));
/// assert!(pairs.next().is_none());
/// ```
#[derive(Clone, Debug)]
pub struct QueryPairs<'a> {
    rest: &'a [u8],
}

impl<'a> QueryPairs<'a> {
    /// Pairs of a query string (the part after `?`, without the `?`).
    pub fn new(query: &'a str) -> Self {
        Self::from_bytes(query.as_bytes())
    }

    /// Pairs of a form body, whose bytes need not be UTF-8 before decoding.
    pub fn from_bytes(input: &'a [u8]) -> Self {
        Self { rest: input }
    }
}

impl<'a> Iterator for QueryPairs<'a> {
    type Item = Result<QueryPair<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (pair, rest) = match self.rest.iter().position(|&byte| byte == b'&') {
                Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            let (name, value) = match pair.iter().position(|&byte| byte == b'=') {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, &[][..]),
            };
            if name.is_empty() {
                continue;
            }
            return Some(QueryPair::decode(name, value));
        }
    }
}

/// One decoded `name=value` pair.
///
/// The name is a dotted field path (`a.b.c`), optionally followed by `[]` (append to a repeated
/// field, Kratos' form) or `[key]` (a map entry). A name whose brackets do not have one of these
/// shapes (`a[b`, `a[b][c]`) is kept whole as the name: it matches no field and is ignored like any
/// unknown parameter. Maps can also be written `m.key=value`; telling that from a nested field
/// needs the message type, so [`QueryPair::path`] leaves it to the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryPair<'a> {
    key: Cow<'a, str>,
    name_len: usize,
    suffix: Suffix,
    value: Cow<'a, str>,
    /// A path variable's value rather than a query parameter's: never empty-as-default. Holds
    /// the field's proto-name path, already split.
    from_path: Option<&'a [&'static str]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Suffix {
    None,
    Append,
    MapKey(Range<usize>),
}

impl<'a> QueryPair<'a> {
    fn decode(raw_name: &'a [u8], raw_value: &'a [u8]) -> Result<Self, Error> {
        let key = decode_component(raw_name, raw_name, Component::Name)?;
        let value = decode_component(raw_value, raw_name, Component::Value)?;
        let (name_len, suffix) = split_suffix(&key);
        Ok(Self {
            key,
            name_len,
            suffix,
            value,
            from_path: None,
        })
    }

    /// A path variable's value as a pair keyed by its field's proto-name path, so that the
    /// query binder assigns it.
    pub(crate) fn path_value(field: &'a [&'static str], value: &'a str) -> Self {
        let key = match field {
            [name] => Cow::Borrowed(*name),
            _ => Cow::Owned(field.join(".")),
        };
        Self {
            name_len: key.len(),
            key,
            suffix: Suffix::None,
            value: Cow::Borrowed(value),
            from_path: Some(field),
        }
    }

    /// Whether this is a path variable's value (see [`QueryPair::path_value`]).
    pub(crate) fn is_path_value(&self) -> bool {
        self.from_path.is_some()
    }

    /// The decoded name as sent, brackets included (for messages).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The field path without the `[]` / `[key]` suffix: `a.b.c`.
    pub fn name(&self) -> &str {
        &self.key[..self.name_len]
    }

    /// The components of [`QueryPair::name`]: `a`, `b`, `c`.
    pub fn path(&self) -> KeyPath<'_> {
        KeyPath(match self.from_path {
            Some(field) => Parts::Split(field.iter()),
            None => Parts::Dotted(Some(self.name())),
        })
    }

    /// Whether the name ended in `[]`: append the value to a repeated field.
    pub fn is_append(&self) -> bool {
        self.suffix == Suffix::Append
    }

    /// The map key of `name[key]=value`.
    pub fn map_key(&self) -> Option<&str> {
        match &self.suffix {
            Suffix::MapKey(range) => Some(&self.key[range.clone()]),
            Suffix::None | Suffix::Append => None,
        }
    }

    /// The decoded value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The decoded value, owned when it had to be decoded and borrowed from the input otherwise:
    /// `into_value().into_owned()` copies at most once.
    pub fn into_value(self) -> Cow<'a, str> {
        self.value
    }
}

/// The components of a pair's dotted name, as [`QueryPair::path`] gives them.
#[derive(Clone, Debug)]
pub struct KeyPath<'a>(Parts<'a>);

// Every query binder walks the key once per pair: a byte scan for short names beats
// `str::split`'s searcher, and a path value's field comes already split.
#[derive(Clone, Debug)]
enum Parts<'a> {
    Dotted(Option<&'a str>),
    Split(std::slice::Iter<'a, &'static str>),
}

impl<'a> Iterator for KeyPath<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match &mut self.0 {
            Parts::Dotted(rest) => {
                let text = rest.take()?;
                match text.bytes().position(|byte| byte == b'.') {
                    Some(dot) => {
                        *rest = Some(&text[dot + 1..]);
                        Some(&text[..dot])
                    }
                    None => Some(text),
                }
            }
            Parts::Split(parts) => parts.next().copied(),
        }
    }
}

/// Finds a trailing `[]` or `[key]`: returns the length of the name before it and what it was.
fn split_suffix(key: &str) -> (usize, Suffix) {
    let whole = (key.len(), Suffix::None);
    let Some(open) = key.find('[') else {
        return whole;
    };
    let Some(inner) = key[open + 1..].strip_suffix(']') else {
        return whole;
    };
    if open == 0 || inner.contains(['[', ']']) {
        return whole;
    }
    if inner.is_empty() {
        (open, Suffix::Append)
    } else {
        (open, Suffix::MapKey(open + 1..key.len() - 1))
    }
}

#[derive(Clone, Copy)]
enum Component {
    Name,
    Value,
}

/// Percent-decodes one name or value, `+` being a space; borrows when there is nothing to do.
fn decode_component<'a>(
    raw: &'a [u8],
    raw_name: &[u8],
    component: Component,
) -> Result<Cow<'a, str>, Error> {
    let parameter = || String::from_utf8_lossy(raw_name);
    let where_ = || match component {
        Component::Name => format!("the name of query parameter {}", quoted(&parameter())),
        Component::Value => format!("query parameter {}", quoted(&parameter())),
    };
    let not_utf8 = || codec_error(format!("{} is not UTF-8 after percent-decoding", where_()));

    if !raw.iter().any(|&byte| byte == b'%' || byte == b'+') {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| not_utf8());
    }
    let mut decoded = Vec::with_capacity(raw.len());
    let mut index = 0;
    while let Some(&byte) = raw.get(index) {
        match byte {
            b'+' => {
                decoded.push(b' ');
                index += 1;
            }
            b'%' => {
                let value = match raw.get(index + 1..index + 3) {
                    Some(&[high, low]) => hex_value(high).zip(hex_value(low)),
                    _ => None,
                };
                let Some((high, low)) = value else {
                    let shown = &raw[index..raw.len().min(index + 3)];
                    return Err(codec_error(format!(
                        "malformed percent-encoding {} in {}; write a literal % as %25",
                        quoted(&String::from_utf8_lossy(shown)),
                        where_()
                    )));
                };
                decoded.push(high << 4 | low);
                index += 3;
            }
            _ => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded)
        .map(Cow::Owned)
        .map_err(|_| not_utf8())
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}
