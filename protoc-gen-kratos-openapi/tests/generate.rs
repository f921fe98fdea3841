//! The OpenAPI generator on real descriptors from the vendored protoc: golden documents, the
//! options, and every generation error.

use std::path::{Path, PathBuf};

use kratos_codegen::GeneratedFile;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generate(case: &str, files: &[&str], parameter: &str) -> Result<Vec<GeneratedFile>, String> {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kratos-openapi");
    let scratch = kratos_codegen::golden::scratch_dir(&base, case).map_err(|e| e.to_string())?;
    let request = kratos_codegen::golden::request_for(
        &repo().join("testdata/proto"),
        &scratch,
        files,
        parameter,
    )?;
    protoc_gen_kratos_openapi::generate_files(&request).map_err(|errs| {
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// Compares with `testdata/golden/openapi/<case>/`, or rewrites when `UPDATE_GOLDEN=1`.
fn check_golden(case: &str, files: &[GeneratedFile]) {
    let problems = kratos_codegen::golden::compare_golden(
        &repo().join("testdata/golden/openapi").join(case),
        files,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn document(files: &[GeneratedFile]) -> Value {
    assert_eq!(files.len(), 1, "one merged document");
    serde_json::from_str(&files[0].content).unwrap()
}

fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "no {method} {path}");
    op
}

fn parameter_names(op: &Value, location: &str) -> Vec<String> {
    op["parameters"]
        .as_array()
        .map(|params| {
            params
                .iter()
                .filter(|p| p["in"] == location)
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn library_golden() {
    let files = generate("library", &["library/v1/library.proto"], "").unwrap();
    assert_eq!(files[0].name, "openapi.json");
    let doc = document(&files);
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["title"], "Library");

    // `{name=shelves/*/books/*}`: one parameter per wildcard, the literals kept.
    let get_book = operation(&doc, "/v1/shelves/{name.1}/books/{name.2}", "get");
    assert_eq!(parameter_names(get_book, "path"), ["name.1", "name.2"]);
    assert!(parameter_names(get_book, "query").is_empty());
    // A verb after a multi-segment variable; body "*" leaves no query parameters.
    let archive = operation(&doc, "/v1/shelves/{name.1}/books/{name.2}:archive", "post");
    assert!(parameter_names(archive, "query").is_empty());
    assert_eq!(
        archive["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/GetBookRequest"
    );
    // `**` is one parameter; literals after it stay.
    operation(&doc, "/v1/files/{path}", "get");
    operation(&doc, "/v1/trees/tree/{path}/blob", "get");
    // A dotted path variable inside the body field; the body is the field. OpenAPI takes paths
    // that differ in parameter names only for one, so the names are GetBook's.
    let update = operation(&doc, "/v1/shelves/{name.1}/books/{name.2}", "patch");
    assert_eq!(
        update["parameters"][0]["description"],
        "One segment of `book.name`, which the path gives as `shelves/{name.1}/books/{name.2}`."
    );
    assert_eq!(parameter_names(update, "query"), ["update_mask"]);
    assert_eq!(
        update["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Book"
    );
    // body "field": the rest comes from the query.
    let create_book = operation(&doc, "/v1/shelves/{shelf}/books", "post");
    assert_eq!(parameter_names(create_book, "query"), ["request_id"]);
    // int64 path variables are strings in JSON and in the path alike.
    assert_eq!(create_book["parameters"][0]["schema"]["format"], "int64");
    // Every binding its own operation, with unique ids; a custom HEAD is a head operation.
    assert_eq!(
        operation(&doc, "/v1/messages/{message_id}", "get")["operationId"],
        "Library_GetMessage"
    );
    assert_eq!(
        operation(&doc, "/v1/users/{user_id}/messages/{message_id}", "get")["operationId"],
        "Library_GetMessage_1"
    );
    assert_eq!(
        operation(&doc, "/v1/messages/{message_id}", "head")["operationId"],
        "Library_GetMessage_2"
    );
    // Query parameters: nested messages by dotted names (a path-bound field left out), maps as
    // deep objects, Struct-likes as JSON text, repeated enums as arrays of names.
    let nested = operation(&doc, "/v1/nested/{nested.name}/{nested.inner.id}", "get");
    let query = parameter_names(nested, "query");
    assert!(query.contains(&"nested.inner.note".to_owned()), "{query:?}");
    assert!(!query.contains(&"nested.name".to_owned()), "{query:?}");
    let echo = operation(&doc, "/v1/echo", "get");
    let params = echo["parameters"].as_array().unwrap();
    let find = |name: &str| params.iter().find(|p| p["name"] == name).unwrap();
    assert_eq!(find("labels")["style"], "deepObject");
    assert!(find("struct_value")["content"]["application/json"].is_object());
    assert_eq!(
        find("repeated_color")["schema"]["items"]["enum"],
        serde_json::json!(["COLOR_UNSPECIFIED", "RED", "GREEN"])
    );
    assert_eq!(find("timestamp")["schema"]["format"], "date-time");
    assert_eq!(find("int64_wrapper")["schema"]["type"], "string");
    // A body field in a oneof: its sibling members cannot come from the query beside it.
    let choice = parameter_names(operation(&doc, "/v1/echo/choice_inner", "post"), "query");
    assert!(
        !choice.iter().any(|name| name.starts_with("choice_")),
        "{choice:?}"
    );
    assert!(
        find("choice_id")["description"]
            .as_str()
            .unwrap()
            .contains("give at most one of choice_name, choice_id, choice_inner")
    );
    // response_body: the reply is the field.
    let title = operation(&doc, "/v1/shelves/{name.1}/books/{name.2}/title", "get");
    assert_eq!(
        title["responses"]["200"]["content"]["application/json"]["schema"]["type"],
        "string"
    );
    // Comments, deprecation, the error body.
    assert_eq!(
        operation(&doc, "/v1/legacy/shelves/{shelf}", "get")["deprecated"],
        true
    );
    assert_eq!(
        operation(&doc, "/v1/shelves/{shelf}", "get")["summary"],
        "A single-segment variable with a typed (int64) field."
    );
    assert_eq!(
        operation(&doc, "/v1/ping", "get")["responses"]["default"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/kratos.Error"
    );
    // The unannotated and the streaming methods are not documented.
    let text = &files[0].content;
    assert!(!text.contains("Library_Hidden"));
    assert!(!text.contains("/v1/watch"));
    // Schemas: lowerCamelCase names, int64 as string, nested messages named Outer.Inner.
    let kinds = &doc["components"]["schemas"]["Kinds"]["properties"];
    assert_eq!(kinds["int64Value"]["type"], "string");
    assert_eq!(kinds["nested"]["$ref"], "#/components/schemas/Kinds.Nested");
    assert_eq!(kinds["anyValue"]["description"], "Any JSON value.");
    check_golden("library", &files);
}

#[test]
fn helloworld_golden() {
    let files = generate("helloworld", &["helloworld/v1/greeter.proto"], "").unwrap();
    let doc = document(&files);
    assert_eq!(doc["info"]["title"], "Greeter");
    check_golden("helloworld", &files);
}

#[test]
fn recursive_messages_are_references() {
    let files = generate("tree", &["openapi/v1/tree.proto"], "").unwrap();
    let doc = document(&files);
    let node = &doc["components"]["schemas"]["Node"];
    assert_eq!(node["description"], "A node: its children are nodes too.");
    assert_eq!(
        node["properties"]["child"]["allOf"][0]["$ref"],
        "#/components/schemas/Node"
    );
    assert_eq!(
        node["properties"]["child"]["description"],
        "The first child."
    );
    assert_eq!(
        node["properties"]["children"]["items"]["$ref"],
        "#/components/schemas/Node"
    );
    assert_eq!(
        node["properties"]["named"]["additionalProperties"]["$ref"],
        "#/components/schemas/Node"
    );
    assert_eq!(node["properties"]["title"]["deprecated"], true);
    // The query goes down each message once: leaf.weight, but not child.label or leaf.parent.label.
    let find = operation(&doc, "/v1/trees/nodes", "get");
    assert_eq!(
        parameter_names(find, "query"),
        ["label", "title", "leaf.weight"]
    );
    // custom "*": one operation per method OpenAPI has, ids kept apart.
    for method in ["get", "put", "post", "delete", "patch"] {
        assert_eq!(
            operation(&doc, "/v1/any/{label}", method)["operationId"],
            format!("Trees_Any_{method}")
        );
    }
    operation(&doc, "/", "get");
    assert_eq!(doc["tags"][0]["description"], "Trees of nodes.");
    assert_eq!(doc["info"]["description"], "Trees of nodes.");
    check_golden("tree", &files);
}

#[test]
fn options_change_names_enums_and_methods() {
    let files = generate(
        "library-options",
        &["library/v1/library.proto"],
        "output=api/library.json,title=Books,version=2.0.0,naming=proto,enum_type=integer,\
         fq_schema_naming=true,omitempty=false,omitempty_prefix=/api,default_response=false",
    )
    .unwrap();
    assert_eq!(files[0].name, "api/library.json");
    let doc = document(&files);
    assert_eq!(doc["info"]["title"], "Books");
    assert_eq!(doc["info"]["version"], "2.0.0");
    let kinds = &doc["components"]["schemas"]["library.v1.Kinds"]["properties"];
    assert_eq!(kinds["int64_value"]["type"], "string");
    assert_eq!(kinds["color"]["type"], "integer");
    assert_eq!(kinds["color"]["enum"], serde_json::json!([0, 1, 2]));
    let hidden = operation(&doc, "/api/library.v1.Library/Hidden", "post");
    assert_eq!(hidden["operationId"], "library.v1.Library_Hidden");
    assert!(hidden["responses"]["default"].is_null());
    check_golden("library-options", &files);
}

#[test]
fn source_relative_writes_one_document_per_file() {
    let files = generate(
        "source-relative",
        &["library/v1/library.proto", "helloworld/v1/greeter.proto"],
        "output_mode=source_relative",
    )
    .unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "library/v1/library.openapi.json",
            "helloworld/v1/greeter.openapi.json"
        ]
    );
    // The merged document of both has both services' paths.
    let merged = generate(
        "merged",
        &["library/v1/library.proto", "helloworld/v1/greeter.proto"],
        "",
    )
    .unwrap();
    let doc = document(&merged);
    assert!(doc["paths"]["/helloworld/{name}"].is_object());
    assert!(doc["paths"]["/v1/ping"].is_object());
}

#[test]
fn output_is_deterministic() {
    let first = generate("det-1", &["library/v1/library.proto"], "").unwrap();
    let second = generate("det-2", &["library/v1/library.proto"], "").unwrap();
    assert_eq!(first, second);
}

#[test]
fn every_generation_error_names_file_service_method_and_text() {
    for (files, expected) in [
        (
            &["openapibad/custom_kind.proto"][..],
            "openapibad/custom_kind.proto: service Svc: method Call: custom method \"LIST\" of \"/v1/things\"",
        ),
        (
            &[
                "openapibad/name_clash_a.proto",
                "openapibad/name_clash_b.proto",
            ][..],
            "messages openapibad.a.Item and openapibad.b.Item both get the schema name Item; set fq_schema_naming=true",
        ),
        // The HTTP rule errors are the HTTP plugin's, word for word.
        (
            &["httpbad/missing_field.proto"][..],
            "httpbad/missing_field.proto: service Svc: method Call: path variable {nope}",
        ),
    ] {
        let err = generate("bad", files, "").unwrap_err();
        assert!(err.contains(expected), "{files:?}: {err}");
    }
    // The clash goes away with full names.
    generate(
        "clash-fq",
        &[
            "openapibad/name_clash_a.proto",
            "openapibad/name_clash_b.proto",
        ],
        "fq_schema_naming=true",
    )
    .unwrap();
    let err = generate("bad-param", &["library/v1/library.proto"], "naming=snake").unwrap_err();
    assert!(
        err.contains("library/v1/library.proto: parameter naming=snake"),
        "{err}"
    );
}
