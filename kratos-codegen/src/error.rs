//! Generation errors that say where in the proto the problem is.

use std::fmt;

/// Where a generation error was found: a file, then nested scopes such as
/// `service Greeter`, `method SayHello` or `enum ErrorReason`, `value X`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    file: String,
    scopes: Vec<(&'static str, String)>,
}

impl Location {
    /// A location at file level.
    pub fn file(name: impl Into<String>) -> Self {
        Self {
            file: name.into(),
            scopes: Vec::new(),
        }
    }

    /// Narrows the location to a service.
    #[must_use]
    pub fn service(self, name: impl Into<String>) -> Self {
        self.scope("service", name)
    }

    /// Narrows the location to a method.
    #[must_use]
    pub fn method(self, name: impl Into<String>) -> Self {
        self.scope("method", name)
    }

    /// Narrows the location to an enum.
    #[must_use]
    pub fn enumeration(self, name: impl Into<String>) -> Self {
        self.scope("enum", name)
    }

    /// Narrows the location to an enum value.
    #[must_use]
    pub fn value(self, name: impl Into<String>) -> Self {
        self.scope("value", name)
    }

    fn scope(mut self, kind: &'static str, name: impl Into<String>) -> Self {
        self.scopes.push((kind, name.into()));
        self
    }

    /// The proto file name as protoc knows it.
    pub fn file_name(&self) -> &str {
        &self.file
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        for (kind, name) in &self.scopes {
            write!(f, ": {kind} {name}")?;
        }
        Ok(())
    }
}

/// A problem in the input that stops code generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerationError {
    location: Location,
    message: String,
}

impl GenerationError {
    /// An error at `location`; `message` says what is wrong and what would be valid.
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
        }
    }

    /// Where the problem is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for GenerationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for GenerationError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_scope_in_order() {
        let err = GenerationError::new(
            Location::file("a/b.proto")
                .service("Greeter")
                .method("SayHello"),
            "invalid template \"/x{\"",
        );
        assert_eq!(
            err.to_string(),
            "a/b.proto: service Greeter: method SayHello: invalid template \"/x{\""
        );
    }
}
