//! The HTTP generator on real descriptors from the vendored protoc: golden
//! files for the generated code, and every generation error.

use std::path::{Path, PathBuf};
use std::process::Command;

use kratos_codegen::GeneratedFile;
use kratos_codegen::protoc::Protoc;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kratos-http");
    kratos_codegen::golden::scratch_dir(&base, name).unwrap()
}

fn generate(case: &str, files: &[&str], parameter: &str) -> Result<Vec<GeneratedFile>, String> {
    let request = kratos_codegen::golden::request_for(
        &repo().join("testdata/proto"),
        &scratch(case),
        files,
        parameter,
    )?;
    protoc_gen_kratos_http::generate_files(&request).map_err(|errs| {
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// protoc with the plugin binary on `file` (under testdata/proto), with `parameter`.
fn run_protoc(case: &str, parameter: &str, file: &str) -> std::process::Output {
    let protoc = Protoc::new(scratch(case)).include(repo().join("testdata/proto"));
    let out = scratch(&format!("{case}-out"));
    let parameter = if parameter.is_empty() {
        String::new()
    } else {
        format!("{parameter}:")
    };
    protoc
        .command()
        .unwrap()
        .arg(format!(
            "--plugin=protoc-gen-kratos-http={}",
            env!("CARGO_BIN_EXE_protoc-gen-kratos-http")
        ))
        .arg(format!("--kratos-http_out={parameter}{}", out.display()))
        .arg(file)
        .output()
        .unwrap()
}

/// Compares with `testdata/golden/http/<case>/`, or rewrites when `UPDATE_GOLDEN=1`. Each file
/// must parse as Rust first: the plugin writes its code as text, so a slip in a format string
/// shows here, naming the file, before any crate compiles it.
fn check_golden(case: &str, files: &[GeneratedFile]) {
    for file in files {
        if let Err(err) = syn::parse_file(&file.content) {
            panic!("{} does not parse as Rust: {err}", file.name);
        }
    }
    let problems = kratos_codegen::golden::compare_golden(
        &repo().join("testdata/golden/http").join(case),
        files,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn helloworld_golden() {
    let files = generate("helloworld", &["helloworld/v1/greeter.proto"], "").unwrap();
    assert_eq!(files[0].name, "helloworld/v1/helloworld.v1.rs");
    assert_eq!(files[0].insertion_point.as_deref(), Some("module"));
    assert_eq!(
        files[0].content,
        "include!(\"helloworld.v1.kratos_http.rs\");\n"
    );
    let code = &files[1].content;
    for expected in [
        "pub const OPERATION_GREETER_SAY_HELLO: &str = \"/helloworld.v1.Greeter/SayHello\";",
        "pub trait GreeterHttpServer",
        "/// Sends a greeting",
        "pub fn register_greeter_http_server<S: GreeterHttpServer>(",
        "use ::kratos::__codegen as __kratos;",
        "\"/helloworld/{name}\"",
        "impl __kratos::ReflectMessage for HelloRequest",
    ] {
        assert!(code.contains(expected), "missing {expected:?}");
    }
    check_golden("helloworld", &files);
}

#[test]
fn library_golden() {
    let files = generate("library", &["library/v1/library.proto"], "flat_output_dir").unwrap();
    let code = &files[1].content;
    assert_eq!(files[1].name, "library.v1.kratos_http.rs");
    // The unannotated method is not served; the server-streaming one is, as a stream.
    assert!(!code.contains("fn hidden("));
    for expected in [
        "    watch(Shelf) -> __kratos::ReplyStream<Shelf>;",
        "routes.server_stream(&ROUTE_LIBRARY_WATCH, S::watch)?;",
        ") -> __kratos::ReplyFuture<'_, __kratos::ReplyStream<Shelf>> {",
        "__kratos::call_stream(&self.client, &ROUTE_LIBRARY_WATCH, request, options)",
    ] {
        assert!(code.contains(expected), "missing {expected:?}");
    }
    check_golden("library", &files);
}

#[test]
fn grpc_glue_serves_every_method() {
    let files = generate(
        "library-grpc",
        &["library/v1/library.proto"],
        "flat_output_dir,grpc=true",
    )
    .unwrap();
    let code = &files[1].content;
    for expected in [
        "pub struct LibraryGrpcService<S>",
        "impl<S: LibraryHttpServer> library_server::Library for LibraryGrpcService<S>",
        "pub fn register_library_grpc_server<S: LibraryHttpServer>(",
        "pub struct LibraryGrpcClient",
        // Unannotated methods join the trait (gRPC only); streaming ones go through the
        // handle's glue of their kind.
        "fn hidden(",
        "type WatchStream = __kratos::ServerStream<Shelf>;",
        ".server_streaming(\n                OPERATION_LIBRARY_WATCH,",
    ] {
        assert!(code.contains(expected), "missing {expected:?}");
    }
    assert!(!code.contains("unimplemented"));
    // The unannotated method gets no HTTP route and no HTTP client method.
    assert!(!code.contains("serve_library_hidden_0"));
    assert!(!code.contains("pub async fn hidden_with("));
    check_golden("library-grpc", &files);
}

#[test]
fn request_streams_are_served_over_grpc_only() {
    // Without gRPC glue nothing could serve a client stream: it stays out of the trait.
    let files = generate("upload-http", &["streams/upload.proto"], "").unwrap();
    let code = &files[1].content;
    assert!(!code.contains("fn upload("), "{code}");
    assert!(code.contains("fn get("));

    let files = generate("upload-grpc", &["streams/upload.proto"], "grpc=true").unwrap();
    let code = &files[1].content;
    for expected in [
        "requests: __kratos::RequestStream<Chunk>,",
        "requests: impl __kratos::Stream<Item = Chunk> + __kratos::Send + 'static,",
    ] {
        assert!(code.contains(expected), "missing {expected:?}");
    }
    // Its rule is ignored: no route, no HTTP client method.
    assert!(!code.contains("/v1/upload"), "{code}");

    // ... with a warning naming file, service and method.
    let output = run_protoc(
        "protoc-upload",
        "grpc=true,no_include",
        "streams/upload.proto",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "warning: streams/upload.proto: service Svc: method Upload: its requests stream, which \
             HTTP does not carry: its google.api.http rule is ignored"
        ),
        "{stderr}"
    );
}

#[test]
fn omitempty_false_routes_unannotated_methods() {
    let files = generate(
        "omitempty",
        &["library/v1/library.proto"],
        "omitempty=false,omitempty_prefix=/api",
    )
    .unwrap();
    let code = &files[1].content;
    assert!(
        code.contains("\"/api/library.v1.Library/Hidden\""),
        "no default route for Hidden"
    );
    assert!(code.contains("fn hidden("));
}

#[test]
fn runtime_crate_and_reflect_options() {
    let files = generate(
        "options",
        &["helloworld/v1/greeter.proto"],
        "runtime_crate=::my_rt,reflect=false",
    )
    .unwrap();
    let code = &files[1].content;
    assert!(code.contains("use ::my_rt::__codegen as __kratos;"));
    assert!(!code.contains("::kratos::"));
    assert!(!code.contains("ReflectMessage"));
}

#[test]
fn every_generation_error_names_file_service_method_and_text() {
    let cases = [
        ("invalid_template", "invalid path template \"/v1/{name\""),
        (
            "missing_field",
            "path variable {nope} in \"/v1/{nope}\": Req has no field \"nope\"",
        ),
        ("repeated_field", "field \"tags\" of Req is repeated"),
        ("map_field", "field \"labels\" of Req is a map"),
        (
            "message_field",
            "field \"inner\" of Req is the message httpbad.message_field.Inner",
        ),
        ("through_scalar", "field \"name\" of Req is not a message"),
        (
            "body_missing",
            "body \"nope\" of \"/v1/x\": Req has no top-level field \"nope\"",
        ),
        (
            "response_body_missing",
            "response_body \"nope\" of \"/v1/x\": Rep has no top-level field \"nope\"",
        ),
        (
            "nested_bindings",
            "additional_bindings inside additional_bindings",
        ),
        (
            "duplicate",
            "GET /v1/{name=*} is mapped twice: Svc.Call maps the same method and template",
        ),
        ("same_field_twice", "\"/v1/{name}/{name}\""),
        ("custom_no_kind", "custom pattern for \"/v1/x\" has no kind"),
        (
            "stream_response_body",
            "response_body \"out\" of \"/v1/x\": a server-streaming method sends each whole reply",
        ),
    ];
    for (case, expected) in cases {
        let file = format!("httpbad/{case}.proto");
        let err = generate(case, &[&file], "").expect_err(case);
        let method = if case == "duplicate" { "Other" } else { "Call" };
        let prefix = format!("{file}: service Svc: method {method}: ");
        assert!(err.starts_with(&prefix), "{case}: {err}");
        assert!(
            err.contains(expected),
            "{case}: {err}\nshould contain {expected}"
        );
    }
    let err = generate("bad-option", &["helloworld/v1/greeter.proto"], "frob=1").unwrap_err();
    assert!(err.contains("unknown parameter \"frob=1\""), "{err}");
}

#[test]
fn protoc_reports_errors_from_the_binary() {
    let output = run_protoc("protoc", "", "httpbad/missing_field.proto");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(
            "httpbad/missing_field.proto: service Svc: method Call: path variable {nope}"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let output = Command::new(env!("CARGO_BIN_EXE_protoc-gen-kratos-http"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("protoc-gen-kratos-http "));
}
