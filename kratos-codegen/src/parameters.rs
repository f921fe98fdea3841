//! Plugin parameters: protoc joins `--x_opt` values (and buf its `opt:` list)
//! with `,` into one string.

use std::fmt;

/// One `key` or `key=value` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    key: String,
    value: Option<String>,
}

impl Parameter {
    /// The name before `=`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The text after `=`, if any.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The value as a flag: a bare `key` means true; otherwise `true` or `false`.
    pub fn flag(&self) -> Result<bool, String> {
        match self.value() {
            None | Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(format!(
                "parameter {}={other}: expected true or false",
                self.key
            )),
        }
    }

    /// The value, required to be present and non-empty.
    pub fn required_value(&self) -> Result<&str, String> {
        match self.value() {
            Some(value) if !value.is_empty() => Ok(value),
            _ => Err(format!(
                "parameter {} needs a value: {}=<value>",
                self.key, self.key
            )),
        }
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={value}", self.key),
            None => f.write_str(&self.key),
        }
    }
}

/// The parsed parameter string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parameters {
    items: Vec<Parameter>,
}

impl Parameters {
    /// Splits on `,` (a `\,` stays a comma inside a value) and then at the first `=`.
    /// Surrounding spaces are trimmed and empty items skipped.
    pub fn parse(text: &str) -> Self {
        let mut items = Vec::new();
        let mut current = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&',') => {
                    current.push(',');
                    chars.next();
                }
                ',' => items.extend(Self::item(&std::mem::take(&mut current))),
                _ => current.push(c),
            }
        }
        items.extend(Self::item(&current));
        Self { items }
    }

    fn item(text: &str) -> Option<Parameter> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(match text.split_once('=') {
            Some((key, value)) => Parameter {
                key: key.trim().to_owned(),
                value: Some(value.trim().to_owned()),
            },
            None => Parameter {
                key: text.to_owned(),
                value: None,
            },
        })
    }

    /// The parameters in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &Parameter> {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, Option<String>)> {
        Parameters::parse(text)
            .iter()
            .map(|p| (p.key().to_owned(), p.value().map(str::to_owned)))
            .collect()
    }

    #[test]
    fn splits_keys_and_values() {
        assert_eq!(
            pairs("runtime_crate=::my::kratos, no_include,,x=a=b"),
            [
                ("runtime_crate".into(), Some("::my::kratos".into())),
                ("no_include".into(), None),
                ("x".into(), Some("a=b".into())),
            ]
        );
        assert!(pairs("").is_empty());
    }

    #[test]
    fn escaped_commas_stay_in_the_value() {
        assert_eq!(
            pairs(r"a=x\,y,b"),
            [("a".into(), Some("x,y".into())), ("b".into(), None)]
        );
    }

    #[test]
    fn flags() {
        let params = Parameters::parse("a,b=true,c=false,d=yes,e=");
        let flags: Vec<_> = params.iter().map(Parameter::flag).collect();
        assert_eq!(flags[..3], [Ok(true), Ok(true), Ok(false)]);
        assert!(flags[3].as_ref().unwrap_err().contains("d=yes"));
        assert!(flags[4].is_err());
        assert!(params.iter().nth(4).unwrap().required_value().is_err());
    }
}
