//! Recursive message types in the query: keys bind at any depth they name,
//! through oneofs and into maps, with the same checks as flat keys, over real
//! HTTP and through the generated client.

mod support;

use kratos::transport::http::Client;
use kratos::transport::http::MAX_QUERY_DEPTH;
use library_service::api::{self, Branch, Forest, Node, branch, node};
use serde_json::json;

/// `GET path` on a fresh server: status and JSON body.
async fn get(path: &str) -> (u16, serde_json::Value) {
    let server = support::start().await;
    let reply = server.get(path).await;
    (reply.status.as_u16(), reply.json())
}

/// `prefix` repeated `times`, joined with dots.
fn repeated(prefix: &str, times: usize) -> String {
    vec![prefix; times].join(".")
}

#[tokio::test]
async fn keys_bind_at_every_depth() {
    // (query, JSON pointer, expected)
    let rows: Vec<(String, &str, serde_json::Value)> = vec![
        // depth 1: the request's own type
        ("child.name=a".into(), "/child/name", json!("a")),
        ("child.id=3".into(), "/child/id", json!(3)),
        // depth 2, directly and through another message
        ("child.child.name=b".into(), "/child/child/name", json!("b")),
        ("branch.node.id=4".into(), "/branch/node/id", json!(4)),
        (
            "branch.node.branch.count=6".into(),
            "/branch/node/branch/count",
            json!(6),
        ),
        // depth 5
        (
            format!("{}.name=deep", repeated("child", 5)),
            "/child/child/child/child/child/name",
            json!("deep"),
        ),
        // through oneof members, at depth 5
        (
            "next.branch.node.child.next.label=q".into(),
            "/next/branch/node/child/next/label",
            json!("q"),
        ),
        (
            "child.next.branch.right=r".into(),
            "/child/next/branch/right",
            json!("r"),
        ),
        // maps and repeated fields below the recursion
        (
            "child.child.tags[k]=v".into(),
            "/child/child/tags",
            json!({"k": "v"}),
        ),
        (
            "child.weights=1&child.weights[]=2".into(),
            "/child/weights",
            json!(["1", "2"]),
        ),
        // numbers' defaults: `a=` leaves the field at its default
        ("child.child.id=".into(), "/child/child/id", json!(0)),
        (
            "child.child.score=1.5".into(),
            "/child/child/score",
            json!(1.5),
        ),
        // unknown keys below the recursion are ignored (the messages on the
        // way are created, as grpc-gateway does)
        ("child.child.nope=1".into(), "/child/child/name", json!("")),
    ];
    for (query, pointer, expected) in rows {
        let (status, body) = get(&format!("/v1/nodes?{query}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(body.pointer(pointer), Some(&expected), "{query}: {body}");
    }

    // A request holding a recursive type: `tree.child` has the type of `tree`.
    let (status, body) = get("/v1/forest?tree.child.id=5&tree.child.child.name=x&name=f").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tree"]["child"]["id"], json!(5));
    assert_eq!(body["tree"]["child"]["child"]["name"], json!("x"));
    assert_eq!(body["name"], json!("f"));
}

#[tokio::test]
async fn recursive_keys_are_checked_like_flat_ones() {
    // (query, words the 400 message must contain)
    let rows: Vec<(String, &[&str])> = vec![
        (
            "child.child.name=a&child.child.name=b".into(),
            &["child.child.name", "twice"],
        ),
        (
            "branch.node.id=1&branch.node.id=1".into(),
            &["branch.node.id", "twice"],
        ),
        // a oneof conflict hidden behind recursive keys
        ("child.next.name=a&child.label=b".into(), &["oneof", "pick"]),
        ("next.id=1&label=b".into(), &["oneof", "pick"]),
        (
            "child.child.branch.left=l&child.child.branch.right=r".into(),
            &["oneof", "side"],
        ),
        ("child.child.id=abc".into(), &["child.child.id", "abc"]),
        ("child.child.tags=v".into(), &["child.child.tags", "[key]"]),
        (
            "child.child.name[k]=v".into(),
            &["child.child.name", "not a map"],
        ),
        (
            format!("{}.name=x", repeated("child", MAX_QUERY_DEPTH)),
            &["limit", "100"],
        ),
    ];
    for (query, words) in rows {
        let (status, body) = get(&format!("/v1/nodes?{query}")).await;
        assert_eq!(
            (status, body["reason"].as_str()),
            (400, Some("CODEC")),
            "{query}: {body}"
        );
        let message = body["message"].as_str().unwrap_or_default();
        for word in words {
            assert!(message.contains(word), "{query}: {message}");
        }
    }
    // The longest key allowed still binds.
    let (status, body) = get(&format!(
        "/v1/nodes?{}.name=x",
        repeated("child", MAX_QUERY_DEPTH - 1)
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let pointer = format!("{}/name", "/child".repeat(MAX_QUERY_DEPTH - 1));
    assert_eq!(body.pointer(&pointer), Some(&json!("x")));
}

#[tokio::test]
async fn path_variables_and_forms_reach_recursive_fields() {
    let server = support::start().await;
    // The path value wins over the same field in the query.
    let reply = server
        .get("/v1/nodes/from%20path?child.child.name=from-query&child.child.id=2")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["child"]["child"]["name"], json!("from path"));
    assert_eq!(body["child"]["child"]["id"], json!(2));

    // A form body goes through the same binders.
    let reply = server
        .send(
            "POST",
            "/v1/nodes:walk",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"child.child.child.name=f&next.tags[a]=b",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["child"]["child"]["child"]["name"], json!("f"));
    assert_eq!(body["next"]["tags"], json!({"a": "b"}));
}

/// A chain of `depth` nodes through `child`, each carrying its own values,
/// with oneof members and maps at the bottom.
fn chain(depth: usize) -> Node {
    let mut node = Node {
        name: format!("level {depth}"),
        id: depth as i32,
        tags: [("k".to_owned(), format!("v{depth}"))].into(),
        weights: vec![1, -2],
        pick: Some(node::Pick::Next(Box::new(Node {
            branch: Some(Box::new(Branch {
                count: Some(0),
                side: Some(branch::Side::Left("l".into())),
                node: Some(Box::new(Node {
                    pick: Some(node::Pick::Label("leaf & = ?".into())),
                    ..Node::default()
                })),
            })),
            ..Node::default()
        }))),
        score: 0.25,
        ..Node::default()
    };
    for level in (0..depth).rev() {
        node = Node {
            name: format!("level {level}"),
            child: Some(Box::new(node)),
            ..Node::default()
        };
    }
    node
}

#[tokio::test]
async fn the_generated_client_round_trips_recursive_requests() {
    let server = support::start().await;
    let library = api::LibraryHttpClient::new(
        Client::new(&format!("http://{}", server.address)).expect("client"),
    );
    for depth in [1, 2, 5] {
        let node = chain(depth);
        let reply = library.walk_node(node.clone()).await.unwrap();
        assert_eq!(reply, node, "depth {depth}");
        let forest = Forest {
            tree: Some(node.clone()),
            name: "f".into(),
        };
        assert_eq!(
            library.walk_forest(forest.clone()).await.unwrap(),
            forest,
            "depth {depth}"
        );
    }
}
