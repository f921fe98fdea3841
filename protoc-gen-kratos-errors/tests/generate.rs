//! The generator run the way users run it: real protoc (vendored), real
//! descriptors, and the plugin binary for the failure paths.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kratos_codegen::GeneratedFile;
use kratos_codegen::protoc::Protoc;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kratos-errors");
    kratos_codegen::golden::scratch_dir(&base, name).unwrap()
}

fn protoc(name: &str) -> Protoc {
    Protoc::new(scratch(name)).include(repo().join("testdata/proto"))
}

fn generate(case: &str, files: &[&str], parameter: &str) -> Result<Vec<GeneratedFile>, String> {
    let request = kratos_codegen::golden::request_for(
        &repo().join("testdata/proto"),
        &scratch(case),
        files,
        parameter,
    )?;
    protoc_gen_kratos_errors::generate_files(&request).map_err(|errs| {
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Compares with `testdata/golden/errors/<case>/`, or rewrites when `UPDATE_GOLDEN=1`.
fn check_golden(case: &str, files: &[GeneratedFile]) {
    let problems = kratos_codegen::golden::compare_golden(
        &repo().join("testdata/golden/errors").join(case),
        files,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn kratos_layout_error_reason() {
    let files = generate("helloworld", &["helloworld/v1/error_reason.proto"], "").unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|f| (f.name.as_str(), f.insertion_point.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("helloworld/v1/helloworld.v1.rs", Some("module")),
            ("helloworld/v1/helloworld.v1.kratos_errors.rs", None),
        ]
    );
    assert_eq!(
        files[0].content,
        "include!(\"helloworld.v1.kratos_errors.rs\");\n"
    );
    let code = &files[1].content;
    assert!(code.contains("::kratos::errors::Error::new(404, \"USER_NOT_FOUND\", message)"));
    assert!(code.contains("::kratos::errors::Error::new(500, \"GREETER_UNSPECIFIED\", message)"));
    assert!(code.contains("/// Set error code separately."), "{code}");
    check_golden("helloworld", &files);
}

#[test]
fn every_case_of_one_package() {
    let files = generate(
        "cases",
        &["errcases/v1/cases.proto", "errcases/v1/more.proto"],
        "flat_output_dir,runtime_crate=::kratos",
    )
    .unwrap();
    assert_eq!(files.len(), 2, "one insertion and one file for the package");
    let code = &files[1].content;
    assert_eq!(files[1].name, "errcases.v1.kratos_errors.rs");
    for expected in [
        "pub fn error_account_name_invalid(",
        "Error::new(403, \"ACCOUNT_LOCKED\"",
        "pub fn is_account_gone(",
        "Error::new(410, \"Account_Gone\"",
        "Error::new(409, \"AccountConflict\"",
        "Error::new(402, \"PAYMENT_DECLINED\"",
        "Error::new(503, \"OUT_OF_STOCK\"",
        "/// The account is locked.",
        "/// Leading comments win over trailing ones.",
        "/// ```text",
        "// source: errcases/v1/more.proto",
    ] {
        assert!(code.contains(expected), "missing {expected:?} in\n{code}");
    }
    for absent in [
        "payment_error_unspecified",
        "payment_pending",
        "color",
        "nested",
        "not this one",
    ] {
        assert!(
            !code.to_lowercase().contains(absent),
            "unexpected {absent:?} in\n{code}"
        );
    }
    check_golden("cases", &files);
}

#[test]
fn no_include_leaves_the_prost_file_alone() {
    let files = generate(
        "no-include",
        &["helloworld/v1/error_reason.proto"],
        "no_include",
    )
    .unwrap();
    assert_eq!(files.len(), 1);
    assert!(files[0].insertion_point.is_none());
}

#[test]
fn an_enum_without_codes_gives_no_output() {
    let files = generate("no-codes", &["errbad/no_codes.proto"], "").unwrap();
    assert!(files.is_empty(), "{files:?}");
}

#[test]
fn codes_outside_1_to_600_name_file_enum_and_value() {
    let err = generate("700", &["errbad/default_code_700.proto"], "").unwrap_err();
    assert_eq!(
        err,
        "errbad/default_code_700.proto: enum Bad: (errors.default_code) = 700 is not an \
         HTTP status code in 1..=600"
    );
    let err = generate("negative", &["errbad/code_negative.proto"], "").unwrap_err();
    assert_eq!(
        err,
        "errbad/code_negative.proto: enum Bad: value NEGATIVE: (errors.code) = -1 is not \
         an HTTP status code in 1..=600"
    );
}

#[test]
fn values_with_the_same_rust_name_are_an_error() {
    let err = generate("clash", &["errbad/name_clash.proto"], "").unwrap_err();
    assert!(
        err.starts_with("errbad/name_clash.proto: enum Second: value SystemError:"),
        "{err}"
    );
    assert!(
        err.contains("error_system_error would be generated twice"),
        "{err}"
    );
    assert!(err.contains("First.SYSTEM_ERROR"), "{err}");
}

/// Runs protoc with the built plugin binary, as a user would.
fn run_protoc(case: &str, file: &str, opt: &str) -> (std::process::Output, PathBuf) {
    let protoc = protoc(case);
    let out = scratch(&format!("{case}-out"));
    let mut command = protoc.command().unwrap();
    command
        .arg(format!(
            "--plugin=protoc-gen-kratos-errors={}",
            env!("CARGO_BIN_EXE_protoc-gen-kratos-errors")
        ))
        .arg(format!("--kratos-errors_out={}", out.display()))
        .arg(file);
    if !opt.is_empty() {
        command.arg(format!("--kratos-errors_opt={opt}"));
    }
    (command.output().unwrap(), out)
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    found
}

#[test]
fn protoc_runs_the_binary() {
    let (output, out) = run_protoc(
        "protoc-ok",
        "helloworld/v1/error_reason.proto",
        "no_include",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written =
        std::fs::read_to_string(out.join("helloworld/v1/helloworld.v1.kratos_errors.rs")).unwrap();
    assert!(written.starts_with("// @generated by protoc-gen-kratos-errors"));
}

#[test]
fn protoc_fails_on_bad_input_without_a_panic() {
    for (case, file, opt, expected) in [
        (
            "p700",
            "errbad/default_code_700.proto",
            "",
            "(errors.default_code) = 700",
        ),
        (
            "pneg",
            "errbad/code_negative.proto",
            "",
            "value NEGATIVE: (errors.code) = -1",
        ),
        (
            "popt",
            "helloworld/v1/error_reason.proto",
            "frobnicate=1",
            "unknown parameter \"frobnicate=1\"",
        ),
    ] {
        let (output, out) = run_protoc(case, file, opt);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{case}: protoc succeeded");
        assert!(stderr.contains(expected), "{case}: {stderr}");
        assert!(!stderr.contains("panicked"), "{case}: {stderr}");
        assert!(files_under(&out).is_empty(), "{case}: wrote files on error");
    }
    let (output, out) = run_protoc("pnocodes", "errbad/no_codes.proto", "");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(files_under(&out).is_empty());
}

#[test]
fn garbage_on_stdin_is_an_error_exit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoc-gen-kratos-errors"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\xff\xfe not a protobuf")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a CodeGeneratorRequest"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn version_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_protoc-gen-kratos-errors"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("protoc-gen-kratos-errors {}", env!("CARGO_PKG_VERSION"))
    );
}
