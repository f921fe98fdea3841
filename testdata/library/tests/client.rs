//! The generated client against the generated server, in-process: every
//! rule form round-trips the request.

mod support;

use kratos::transport::http::Client;
use library_service::api::{
    self, Book, CreateBookRequest, GetBookRequest, GetFileRequest, GetMessageRequest,
    GetShelfRequest, Kinds, Shelf, UpdateBookRequest, kinds,
};

async fn client() -> (support::TestServer, api::LibraryHttpClient) {
    let server = support::start().await;
    let client = Client::new(&format!("http://{}", server.address)).expect("client");
    (server, api::LibraryHttpClient::new(client))
}

#[tokio::test]
async fn path_variables_round_trip() {
    let (_server, library) = client().await;
    let shelf = library
        .get_shelf(GetShelfRequest { shelf: -7 })
        .await
        .unwrap();
    assert_eq!(shelf.id, -7);

    // Single-segment values are fully decoded by the server: anything goes.
    for id in [
        "plain",
        "",
        "a b",
        "a/b",
        "?#%&=+",
        "100%",
        "中文 ü",
        "..",
        "a:b",
        "~-_.",
    ] {
        let reply = library
            .get_message(GetMessageRequest {
                message_id: id.into(),
                user_id: String::new(),
                revision: 0,
            })
            .await;
        if id.is_empty() {
            // `/v1/messages/` would be `/v1/messages` to the server: refused before sending.
            let err = reply.unwrap_err();
            assert_eq!((err.code(), err.reason()), (400, "INVALID_PATH_VALUE"));
            assert!(
                err.message().contains("\"message_id\" is empty"),
                "{}",
                err.message()
            );
            continue;
        }
        assert_eq!(reply.unwrap().message_id, id, "message id {id:?}");
    }

    // Multi-segment values keep `/`; unicode and spaces round-trip.
    for name in ["shelves/1/books/2", "shelves/中/books/a b"] {
        let book = library
            .get_book(GetBookRequest { name: name.into() })
            .await
            .unwrap();
        assert_eq!(book.name, name);
    }
    // A value that does not fit the variable's pattern never leaves the client.
    let err = library
        .get_book(GetBookRequest {
            name: "books/1".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), 400);
    assert!(
        err.message().contains("shelves/*/books/*"),
        "{}",
        err.message()
    );

    // `**` with zero and many segments.
    for path in ["", "a", "a/b/c.txt"] {
        let file = library
            .get_file(GetFileRequest { path: path.into() })
            .await
            .unwrap();
        assert_eq!(file.path, path);
    }

    // Nested path fields.
    let request = Kinds {
        nested: Some(kinds::Nested {
            name: "n 1".into(),
            inner: Some(kinds::Inner {
                id: 42,
                note: String::new(),
            }),
            values: Vec::new(),
        }),
        ..Default::default()
    };
    let reply = library.get_nested(request.clone()).await.unwrap();
    assert_eq!(reply.nested, request.nested);
    // An empty nested one is refused by name.
    let mut empty = request.clone();
    if let Some(nested) = &mut empty.nested {
        nested.name.clear();
    }
    let err = library.get_nested(empty).await.unwrap_err();
    assert_eq!(err.reason(), "INVALID_PATH_VALUE");
    assert!(
        err.message().contains("\"nested.name\""),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_wildcard_bound_to_no_field_is_refused_by_the_client_only() {
    let (server, library) = client().await;
    let err = library
        .glob(GetFileRequest { path: "a".into() })
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.reason()), (400, "INVALID_PATH_VALUE"));
    assert!(
        err.message().contains("/v1/glob/*/{path=**}"),
        "{}",
        err.message()
    );
    // The server matches any segment there.
    let reply = server.get("/v1/glob/any/a/b").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["path"], "a/b");
}

#[tokio::test]
async fn deep_wildcards_before_a_verb_take_zero_segments() {
    let (_server, library) = client().await;
    // `/**:sweep`, the `**` bound to no field: the client sends `POST /:sweep`.
    let reply = library
        .sweep(GetFileRequest { path: "p".into() })
        .await
        .unwrap();
    assert_eq!(reply.path, "swept p");
    // `/v1/{path=**}:sweep` with zero, one and many segments.
    for (path, expected) in [("", r#""""#), ("a", r#""a""#), ("a/b c", r#""a/b c""#)] {
        let reply = library
            .sweep_path(GetFileRequest { path: path.into() })
            .await
            .unwrap();
        assert_eq!(reply.path, format!("swept path {expected}"), "{path:?}");
    }
}

#[tokio::test]
async fn typed_path_variables_round_trip() {
    let (_server, library) = client().await;
    let request = Kinds {
        timestamp: Some(prost_types::Timestamp {
            seconds: 1_600_000_000,
            nanos: 5_000,
        }),
        duration: Some(prost_types::Duration {
            seconds: -2,
            nanos: -500_000_000,
        }),
        bytes_value: vec![0xfb, 0xff, 0x00, b'/'],
        color: api::Color::Red as i32,
        bool_value: true,
        double_value: -0.125,
        int64_wrapper: Some(i64::MAX),
        uint64_value: u64::MAX,
        ..Default::default()
    };
    assert_eq!(library.get_typed(request.clone()).await.unwrap(), request);
}

#[tokio::test]
async fn bodies_verbs_and_response_body() {
    let (_server, library) = client().await;
    let shelf = Shelf {
        id: 12,
        theme: "sci-fi ü".into(),
    };
    assert_eq!(library.create_shelf(shelf.clone()).await.unwrap(), shelf);

    let book = library
        .create_book(CreateBookRequest {
            shelf: 3,
            book: Some(Book {
                name: String::new(),
                title: "Dune".into(),
                authors: vec!["Herbert".into()],
            }),
            request_id: "r9".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        book,
        Book {
            name: "shelves/3/books/r9".into(),
            title: "Dune".into(),
            authors: vec!["Herbert".into()]
        }
    );

    let updated = library
        .update_book(UpdateBookRequest {
            book: Some(Book {
                name: "shelves/1/books/2".into(),
                title: "New".into(),
                authors: Vec::new(),
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["title".into()],
            }),
        })
        .await
        .unwrap();
    assert_eq!(updated.name, "shelves/1/books/2");
    assert_eq!(updated.authors, ["title"]);

    library
        .delete_shelf(GetShelfRequest { shelf: 1 })
        .await
        .unwrap();
    library.ping(()).await.unwrap();

    let archived = library
        .archive_book(GetBookRequest {
            name: "shelves/1/books/2".into(),
        })
        .await
        .unwrap();
    assert_eq!(archived.title, "archived");

    // response_body: only the title comes back.
    let titled = library
        .get_book_title(GetBookRequest {
            name: "shelves/1/books/2".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        titled,
        Book {
            name: String::new(),
            title: "Title of shelves/1/books/2".into(),
            authors: Vec::new()
        }
    );
}

fn every_kind() -> Kinds {
    let mut labels = std::collections::HashMap::new();
    labels.insert("k 1".to_owned(), "v&=?".to_owned());
    let mut counts = std::collections::HashMap::new();
    counts.insert(-1, 10);
    Kinds {
        double_value: 1.5,
        float_value: -2.25,
        int64_value: i64::MIN,
        uint64_value: u64::MAX,
        int32_value: i32::MIN,
        fixed64_value: 1,
        fixed32_value: u32::MAX,
        bool_value: true,
        string_value: "café au lait + 100% #1".into(),
        bytes_value: vec![0, 255, 62, 63],
        uint32_value: 7,
        sfixed32_value: -1,
        sfixed64_value: -2,
        sint32_value: -3,
        sint64_value: -4,
        color: api::Color::Green as i32,
        optional_string: Some(String::new()),
        optional_int32: Some(0),
        repeated_string: vec!["a".into(), "".into(), "c d".into()],
        repeated_int64: vec![1, -2],
        repeated_color: vec![1, 2],
        labels,
        counts,
        nested: Some(kinds::Nested {
            name: "n".into(),
            inner: Some(kinds::Inner {
                id: 5,
                note: "x".into(),
            }),
            values: vec![1, 2],
        }),
        timestamp: Some(prost_types::Timestamp {
            seconds: 63_115_220,
            nanos: 21_000_000,
        }),
        duration: Some(prost_types::Duration {
            seconds: 1,
            nanos: 500_000_000,
        }),
        field_mask: Some(prost_types::FieldMask {
            paths: vec!["a.b".into(), "c_d".into()],
        }),
        int64_wrapper: Some(12),
        string_wrapper: Some(String::new()),
        bool_wrapper: Some(false),
        struct_value: None,
        any_value: None,
        list_value: None,
        choice: Some(kinds::Choice::ChoiceInner(kinds::Inner {
            id: 9,
            note: String::new(),
        })),
    }
}

#[tokio::test]
async fn every_field_kind_round_trips_through_the_query_and_the_body() {
    let (_server, library) = client().await;
    let request = every_kind();
    assert_eq!(
        library.echo(request.clone()).await.unwrap(),
        request,
        "query"
    );
    assert_eq!(
        library.echo_body(request.clone()).await.unwrap(),
        request,
        "body"
    );
    // Zero values stay zero.
    assert_eq!(
        library.echo(Kinds::default()).await.unwrap(),
        Kinds::default()
    );
    let scalar_choice = Kinds {
        choice: Some(kinds::Choice::ChoiceId(0)),
        ..Default::default()
    };
    assert_eq!(
        library.echo(scalar_choice.clone()).await.unwrap(),
        scalar_choice
    );
}

#[tokio::test]
async fn errors_come_back_as_kratos_errors() {
    let (_server, library) = client().await;
    let err = library
        .get_shelf(GetShelfRequest { shelf: 404 })
        .await
        .unwrap_err();
    assert_eq!(err.code(), 404);
    assert_eq!(err.reason(), "SHELF_NOT_FOUND");
    assert_eq!(err.metadata().get("shelf").map(String::as_str), Some("404"));
    assert!(kratos::errors::matches(&err, 404, "SHELF_NOT_FOUND"));
}
