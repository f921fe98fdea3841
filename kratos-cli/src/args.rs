//! The command line, parsed into a [`Command`].

use std::path::PathBuf;

use crate::error::CliError;

/// The repository `kratos new` takes the runtime from when no `--kratos-*` flag is given.
pub(crate) const DEFAULT_KRATOS_GIT: &str = "https://github.com/kratos-rs/kratos-rs";

/// One `kratos` invocation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    Help,
    Version,
    New {
        name: String,
        source: KratosSource,
    },
    ProtoAdd {
        path: PathBuf,
    },
    ProtoClient {
        path: PathBuf,
        out: PathBuf,
        includes: Vec<PathBuf>,
    },
    ProtoServer {
        path: PathBuf,
        target: PathBuf,
        includes: Vec<PathBuf>,
    },
    ProtoVendor {
        dir: PathBuf,
    },
    Run {
        args: Vec<String>,
    },
}

/// Where a new project takes the kratos-rs crates from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KratosSource {
    /// A checkout on this machine (its root, holding `runtime/` and `kratos-build/`).
    Path(PathBuf),
    /// A git repository, at a revision or its default branch.
    Git { url: String, rev: Option<String> },
}

/// Parses `args` (without the program name).
pub(crate) fn parse(args: &[String]) -> Result<Command, CliError> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    match command.as_str() {
        "help" | "-h" | "--help" => Ok(Command::Help),
        "version" | "-V" | "--version" => Ok(Command::Version),
        "new" => parse_new(rest),
        "proto" => parse_proto(rest),
        "run" => Ok(Command::Run {
            args: rest
                .strip_prefix(&["--".to_owned()])
                .unwrap_or(rest)
                .to_vec(),
        }),
        other => Err(CliError::usage(format!("unknown command {other:?}"))),
    }
}

fn parse_new(args: &[String]) -> Result<Command, CliError> {
    let mut flags = Flags::new("kratos new", args);
    let mut name = None;
    let mut path = None;
    let mut git = None;
    let mut rev = None;
    while let Some(arg) = flags.next() {
        match arg.as_str() {
            "--kratos-path" => path = Some(PathBuf::from(flags.value(&arg)?)),
            "--kratos-git" => git = Some(flags.value(&arg)?),
            "--rev" => rev = Some(flags.value(&arg)?),
            _ if arg.starts_with('-') => return Err(flags.unknown(&arg)),
            _ if name.is_some() => {
                return Err(CliError::usage(format!(
                    "kratos new takes one NAME; {arg:?} is a second one"
                )));
            }
            _ => name = Some(arg),
        }
    }
    let name = name.ok_or_else(|| CliError::usage("kratos new needs a NAME: kratos new shop"))?;
    let source = match (path, git, rev) {
        (Some(_), Some(_), _) => {
            return Err(CliError::usage(
                "--kratos-path and --kratos-git both name where kratos comes from: give one",
            ));
        }
        (Some(_), None, Some(_)) => {
            return Err(CliError::usage(
                "--rev picks a git revision: it goes with --kratos-git, not --kratos-path",
            ));
        }
        (Some(path), None, None) => KratosSource::Path(path),
        (None, git, rev) => KratosSource::Git {
            url: git.unwrap_or_else(|| DEFAULT_KRATOS_GIT.to_owned()),
            rev,
        },
    };
    Ok(Command::New { name, source })
}

fn parse_proto(args: &[String]) -> Result<Command, CliError> {
    let Some((action, rest)) = args.split_first() else {
        return Err(CliError::usage(
            "kratos proto needs an action: add, client, server or vendor",
        ));
    };
    if action == "vendor" {
        return match rest {
            [] => Ok(Command::ProtoVendor {
                dir: PathBuf::from(crate::vendor::DEFAULT_DIR),
            }),
            [dir] if !dir.starts_with('-') => Ok(Command::ProtoVendor {
                dir: PathBuf::from(dir),
            }),
            _ => Err(CliError::usage(
                "kratos proto vendor takes at most one directory: kratos proto vendor third_party",
            )),
        };
    }
    let context = format!("kratos proto {action}");
    let mut flags = Flags::new(&context, rest);
    let mut path = None;
    let mut out = None;
    let mut target = None;
    let mut includes = Vec::new();
    while let Some(arg) = flags.next() {
        match (action.as_str(), arg.as_str()) {
            ("client", "-o" | "--out") => out = Some(PathBuf::from(flags.value(&arg)?)),
            ("server", "-t" | "--target") => target = Some(PathBuf::from(flags.value(&arg)?)),
            ("client" | "server", "-I" | "--proto-path") => {
                includes.push(PathBuf::from(flags.value(&arg)?));
            }
            (_, flag) if flag.starts_with('-') => return Err(flags.unknown(&arg)),
            _ if path.is_some() => {
                return Err(CliError::usage(format!(
                    "{context} takes one proto file; {arg:?} is a second one"
                )));
            }
            _ => path = Some(PathBuf::from(arg)),
        }
    }
    let path = path.ok_or_else(|| {
        CliError::usage(format!(
            "{context} needs a proto file: {context} api/shop/v1/shop.proto"
        ))
    })?;
    match action.as_str() {
        "add" => Ok(Command::ProtoAdd { path }),
        "client" => Ok(Command::ProtoClient {
            path,
            out: out.unwrap_or_else(|| PathBuf::from(crate::proto_client::DEFAULT_OUT)),
            includes,
        }),
        "server" => Ok(Command::ProtoServer {
            path,
            target: target.unwrap_or_else(|| PathBuf::from(crate::proto_server::DEFAULT_TARGET)),
            includes,
        }),
        other => Err(CliError::usage(format!(
            "unknown proto action {other:?}: use add, client, server or vendor"
        ))),
    }
}

/// Arguments being read, for errors that name the command they belong to.
struct Flags<'a> {
    command: &'a str,
    args: std::slice::Iter<'a, String>,
}

impl<'a> Flags<'a> {
    fn new(command: &'a str, args: &'a [String]) -> Self {
        Self {
            command,
            args: args.iter(),
        }
    }

    fn next(&mut self) -> Option<String> {
        self.args.next().cloned()
    }

    /// The value after `flag`.
    fn value(&mut self, flag: &str) -> Result<String, CliError> {
        self.next()
            .filter(|value| !value.starts_with('-'))
            .ok_or_else(|| CliError::usage(format!("{} {flag} needs a value", self.command)))
    }

    fn unknown(&self, flag: &str) -> CliError {
        CliError::usage(format!("{} does not take {flag:?}", self.command))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<Command, CliError> {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        parse(&args)
    }

    #[test]
    fn new_takes_a_path_or_a_git_repository() {
        assert_eq!(
            parse_line("new shop --kratos-path /src/kratos-rs").unwrap(),
            Command::New {
                name: "shop".into(),
                source: KratosSource::Path("/src/kratos-rs".into())
            }
        );
        assert_eq!(
            parse_line("new shop --kratos-git https://example.com/k.git --rev abc").unwrap(),
            Command::New {
                name: "shop".into(),
                source: KratosSource::Git {
                    url: "https://example.com/k.git".into(),
                    rev: Some("abc".into())
                }
            }
        );
        assert_eq!(
            parse_line("new shop").unwrap(),
            Command::New {
                name: "shop".into(),
                source: KratosSource::Git {
                    url: DEFAULT_KRATOS_GIT.into(),
                    rev: None
                }
            }
        );
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        for (line, expected) in [
            ("new", "needs a NAME"),
            ("new a b", "\"b\" is a second one"),
            ("new shop --kratos-path", "--kratos-path needs a value"),
            ("new shop --kratos-path p --kratos-git g", "give one"),
            ("new shop --kratos-path p --rev r", "goes with --kratos-git"),
            ("new shop --force", "kratos new does not take \"--force\""),
            ("proto", "needs an action"),
            ("proto remove x.proto", "unknown proto action \"remove\""),
            ("proto add", "needs a proto file"),
            (
                "proto add x.proto -t src",
                "kratos proto add does not take \"-t\"",
            ),
            ("deploy", "unknown command \"deploy\""),
        ] {
            let error = parse_line(line).unwrap_err();
            assert!(error.to_string().contains(expected), "{line}: {error}");
            assert_eq!(error.exit_code(), 2, "{line}");
        }
    }

    #[test]
    fn proto_actions_and_run() {
        assert_eq!(
            parse_line("proto server api/a/v1/a.proto -t src/service -I api").unwrap(),
            Command::ProtoServer {
                path: "api/a/v1/a.proto".into(),
                target: "src/service".into(),
                includes: vec!["api".into()]
            }
        );
        assert_eq!(
            parse_line("proto client api/a/v1/a.proto").unwrap(),
            Command::ProtoClient {
                path: "api/a/v1/a.proto".into(),
                out: crate::proto_client::DEFAULT_OUT.into(),
                includes: vec![]
            }
        );
        assert_eq!(
            parse_line("proto vendor").unwrap(),
            Command::ProtoVendor {
                dir: "third_party".into()
            }
        );
        assert_eq!(
            parse_line("run -- --conf configs").unwrap(),
            Command::Run {
                args: vec!["--conf".into(), "configs".into()]
            }
        );
    }
}
