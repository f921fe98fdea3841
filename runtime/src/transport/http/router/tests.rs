use http::Method;

use super::{Lookup, MethodFilter, PathTemplate, Router};

/// The routes of the matching table: `(method or "*", template)`. The value
/// of each route is `"METHOD template"`.
const ROUTES: &[(&str, &str)] = &[
    // precedence
    ("GET", "/c/f/d/e"),
    ("GET", "/c/*/d/e"),
    ("GET", "/c/*/d/**"),
    ("GET", "/v1/special"),
    ("GET", "/v1/{name}"),
    ("POST", "/m/special"),
    ("GET", "/m/{name}"),
    // verbs
    ("POST", "/v1/{name}:cancel"),
    ("GET", "/foo/{id}"),
    ("GET", "/person/{id=*}"),
    ("GET", "/{x=**}:verb"),
    // multi-segment variables and `**`
    ("GET", "/v1/{name=shelves/*/books/*}"),
    ("GET", "/files/{path=**}"),
    ("GET", "/a/{b=c/**}/d"),
    ("GET", "/t/**/x/y"),
    ("GET", "/t/**/y"),
    // percent-decoding
    ("GET", "/single/{v}"),
    ("GET", "/multi/{v=**}"),
    ("GET", "/lit/a%20b"),
    ("GET", "/two/{a}/{b}"),
    // root and empty segments
    ("GET", "/"),
    ("GET", "/e/*/x"),
    // methods
    ("HEAD", "/head"),
    ("OPTIONS", "/head"),
    ("*", "/any/{x}"),
    ("GET", "/any/{x}"),
    ("GET", "/both"),
    ("POST", "/both"),
    ("DELETE", "/both"),
    ("GET", "/shelves/{shelf}/books/{book}"),
    ("DELETE", "/shelves/*/books/{book=**}"),
];

#[derive(Debug)]
enum Expect {
    Found(&'static str, &'static [&'static str]),
    NotFound,
    NotAllowed(&'static [&'static str]),
    Bad(&'static str),
}
use Expect::{Bad, Found, NotAllowed, NotFound};

/// `(method, raw path, expected)`.
const TABLE: &[(&str, &str, Expect)] = &[
    // precedence: literal, then `*`, then `**`, with backtracking
    ("GET", "/c/f/d/e", Found("GET /c/f/d/e", &[])),
    ("GET", "/c/g/d/e", Found("GET /c/*/d/e", &[])),
    ("GET", "/c/f/d/x", Found("GET /c/*/d/**", &[])),
    ("GET", "/c/f/d", Found("GET /c/*/d/**", &[])),
    ("GET", "/c/f/d/e/z", Found("GET /c/*/d/**", &[])),
    ("GET", "/v1/special", Found("GET /v1/special", &[])),
    ("GET", "/v1/other", Found("GET /v1/{name}", &["other"])),
    // a more specific route for another method does not hide this one
    ("GET", "/m/special", Found("GET /m/{name}", &["special"])),
    ("POST", "/m/other", NotAllowed(&["GET"])),
    // literals compare with the raw segment
    (
        "GET",
        "/v1/%73pecial",
        Found("GET /v1/{name}", &["special"]),
    ),
    ("GET", "/lit/a%20b", Found("GET /lit/a%20b", &[])),
    ("GET", "/lit/a b", NotFound),
    // verbs
    (
        "POST",
        "/v1/a:cancel",
        Found("POST /v1/{name}:cancel", &["a"]),
    ),
    (
        "POST",
        "/v1/a:b:cancel",
        Found("POST /v1/{name}:cancel", &["a:b"]),
    ),
    (
        "POST",
        "/v1/a:cancel/",
        Found("POST /v1/{name}:cancel", &["a"]),
    ),
    // `cancel` is a registered verb, so `/v1/{name}` cannot take it
    ("GET", "/v1/a:cancel", NotAllowed(&["POST"])),
    (
        "GET",
        "/v1/a%3Acancel",
        Found("GET /v1/{name}", &["a:cancel"]),
    ),
    ("POST", "/v1/a%3Acancel", NotAllowed(&["GET"])),
    // a last segment that is only `:verb` is empty, so `{name}` has nothing
    ("GET", "/v1/:cancel", NotFound),
    ("GET", "/:verb", Found("GET /{x=**}:verb", &[""])),
    ("GET", "/v1/:verb", Found("GET /{x=**}:verb", &["v1"])),
    ("GET", "/foo/bar:123", Found("GET /foo/{id}", &["bar:123"])),
    (
        "GET",
        "/person/jason:other",
        Found("GET /person/{id=*}", &["jason:other"]),
    ),
    ("GET", "/person:other", NotFound),
    (
        "GET",
        "/person/jason:verb",
        Found("GET /{x=**}:verb", &["person/jason"]),
    ),
    ("GET", "/v1/a:verb", Found("GET /{x=**}:verb", &["v1/a"])),
    ("GET", "/a:verb", Found("GET /{x=**}:verb", &["a"])),
    // multi-segment variables
    (
        "GET",
        "/v1/shelves/1/books/2",
        Found("GET /v1/{name=shelves/*/books/*}", &["shelves/1/books/2"]),
    ),
    ("GET", "/v1/shelves/1/books", NotFound),
    (
        "GET",
        "/shelves/1/books/2",
        Found("GET /shelves/{shelf}/books/{book}", &["1", "2"]),
    ),
    (
        "DELETE",
        "/shelves/1/books/2/3",
        Found("DELETE /shelves/*/books/{book=**}", &["2/3"]),
    ),
    ("PUT", "/shelves/1/books/2", NotAllowed(&["DELETE", "GET"])),
    // `**`: zero, one and many segments, clean joins
    ("GET", "/files", Found("GET /files/{path=**}", &[""])),
    ("GET", "/files/", Found("GET /files/{path=**}", &[""])),
    ("GET", "/files/a", Found("GET /files/{path=**}", &["a"])),
    (
        "GET",
        "/files/a/b/c",
        Found("GET /files/{path=**}", &["a/b/c"]),
    ),
    (
        "GET",
        "/files/a//c",
        Found("GET /files/{path=**}", &["a//c"]),
    ),
    // literal tails after `**`
    ("GET", "/a/c/d", Found("GET /a/{b=c/**}/d", &["c"])),
    ("GET", "/a/c/d/", Found("GET /a/{b=c/**}/d", &["c"])),
    ("GET", "/a/c/x/y/d", Found("GET /a/{b=c/**}/d", &["c/x/y"])),
    ("GET", "/a/c/d/d", Found("GET /a/{b=c/**}/d", &["c/d"])),
    ("GET", "/a/c", NotFound),
    ("GET", "/a/x/d", NotFound),
    ("GET", "/t/x/y", Found("GET /t/**/x/y", &[])),
    ("GET", "/t/q/x/y", Found("GET /t/**/x/y", &[])),
    ("GET", "/t/y", Found("GET /t/**/y", &[])),
    ("GET", "/t/q/r/y", Found("GET /t/**/y", &[])),
    ("GET", "/t/x", NotFound),
    // percent-decoding: single-segment variables fully
    ("GET", "/single/a%2Fb", Found("GET /single/{v}", &["a/b"])),
    (
        "GET",
        "/single/a%2fb%20c",
        Found("GET /single/{v}", &["a/b c"]),
    ),
    (
        "GET",
        "/single/%E4%B8%AD",
        Found("GET /single/{v}", &["中"]),
    ),
    ("GET", "/single/a+b", Found("GET /single/{v}", &["a+b"])),
    (
        "GET",
        "/single/%2B%3F%23",
        Found("GET /single/{v}", &["+?#"]),
    ),
    // multi-segment variables keep reserved characters encoded, as written
    (
        "GET",
        "/multi/a%2Fb/c%20d",
        Found("GET /multi/{v=**}", &["a%2Fb/c d"]),
    ),
    (
        "GET",
        "/multi/%e4%b8%ad%3a%2f",
        Found("GET /multi/{v=**}", &["中%3a%2f"]),
    ),
    (
        "GET",
        "/multi/%41%7E%2B%40",
        Found("GET /multi/{v=**}", &["A~%2B%40"]),
    ),
    // malformed escapes and bad UTF-8 inside bound values
    (
        "GET",
        "/single/%zz",
        Bad("malformed percent escape \"%zz\""),
    ),
    (
        "GET",
        "/single/ab%2",
        Bad("malformed percent escape \"%2\""),
    ),
    (
        "GET",
        "/multi/x/%G0/y",
        Bad("malformed percent escape \"%G0\""),
    ),
    (
        "GET",
        "/single/%FF",
        Bad("path parameter \"v\": \"%FF\" is not valid UTF-8"),
    ),
    (
        "GET",
        "/multi/a/%C3",
        Bad("path parameter \"v\": \"a/%C3\" is not valid UTF-8"),
    ),
    // unbound segments are not decoded, so not checked
    ("GET", "/c/%zz/d/e", Found("GET /c/*/d/e", &[])),
    // trailing slash, root and empty segments
    ("GET", "/v1/other/", Found("GET /v1/{name}", &["other"])),
    ("GET", "/v1/other//", Found("GET /v1/{name}", &["other"])),
    ("GET", "/", Found("GET /", &[])),
    ("GET", "//", Found("GET /", &[])),
    ("POST", "/", NotAllowed(&["GET"])),
    ("GET", "/e//x", Found("GET /e/*/x", &[])),
    ("GET", "/c//d/e", Found("GET /c/*/d/e", &[])),
    ("GET", "/single/", NotFound),
    ("GET", "/nothing/here", NotFound),
    ("GET", "", NotFound),
    ("GET", "*", NotFound),
    // methods: custom kinds, Any, 405 with a sorted Allow
    ("HEAD", "/head", Found("HEAD /head", &[])),
    ("OPTIONS", "/head", Found("OPTIONS /head", &[])),
    ("GET", "/head", NotAllowed(&["HEAD", "OPTIONS"])),
    ("PATCH", "/any/1", Found("* /any/{x}", &["1"])),
    ("PURGE", "/any/1", Found("* /any/{x}", &["1"])),
    ("GET", "/any/1", Found("GET /any/{x}", &["1"])),
    ("PUT", "/both", NotAllowed(&["DELETE", "GET", "POST"])),
    ("POST", "/both", Found("POST /both", &[])),
];

fn template(text: &str) -> PathTemplate {
    match PathTemplate::parse(text) {
        Ok(template) => template,
        Err(error) => panic!("{error}"),
    }
}

fn method(name: &str) -> Method {
    match Method::from_bytes(name.as_bytes()) {
        Ok(method) => method,
        Err(error) => panic!("{name}: {error}"),
    }
}

fn router<'a>(routes: impl IntoIterator<Item = &'a (&'a str, &'a str)>) -> Router<String> {
    let mut router = Router::new();
    for &(kind, text) in routes {
        let filter: MethodFilter = match kind.parse() {
            Ok(filter) => filter,
            Err(error) => panic!("{kind}: {error}"),
        };
        if let Err(error) = router.insert(filter, &template(text), format!("{kind} {text}")) {
            panic!("{error}");
        }
    }
    router
}

fn check(router: &Router<String>, order: &str) {
    let mut failures = Vec::new();
    for (request_method, path, expected) in TABLE {
        let lookup = router.lookup(&method(request_method), path);
        let ok = match (&lookup, expected) {
            (Lookup::Found(found), Found(value, params)) => {
                found.value == value && found.params().iter().eq(params.iter().copied())
            }
            (Lookup::NotFound, NotFound) => true,
            (Lookup::MethodNotAllowed { allow }, NotAllowed(methods)) => {
                allow.iter().map(Method::as_str).eq(methods.iter().copied())
            }
            (Lookup::BadPath(message), Bad(part)) => message.contains(part),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{request_method} {path}: expected {expected:?}, got {lookup:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{order}:\n{}", failures.join("\n"));
}

#[test]
fn matching_table_in_registration_order() {
    assert!(TABLE.len() >= 40);
    check(&router(ROUTES), "registration order");
}

#[test]
fn matching_table_in_reverse_registration_order() {
    check(&router(ROUTES.iter().rev()), "reverse order");
}

#[test]
fn precedence_does_not_depend_on_order() {
    let specific = [
        ("GET", "/c/f/d/e"),
        ("GET", "/c/*/d/e"),
        ("GET", "/c/*/d/**"),
    ];
    for routes in [specific.to_vec(), specific.iter().rev().copied().collect()] {
        let router = router(&routes);
        for (path, value) in [
            ("/c/f/d/e", "GET /c/f/d/e"),
            ("/c/x/d/e", "GET /c/*/d/e"),
            ("/c/f/d/e/f", "GET /c/*/d/**"),
        ] {
            let Lookup::Found(found) = router.lookup(&Method::GET, path) else {
                panic!("{path}: no match with {routes:?}");
            };
            assert_eq!(found.value, value, "{path} with {routes:?}");
        }
    }
}

#[test]
fn bindings_pair_variables_with_values() {
    let router = router(&[("GET", "/v1/{parent=projects/*}/items/{item.id}:get")]);
    let Lookup::Found(found) = router.lookup(&Method::GET, "/v1/projects/p%201/items/7:get") else {
        panic!("no match");
    };
    let bindings: Vec<_> = found
        .bindings()
        .map(|(variable, value)| (variable.field_path_string(), value))
        .collect();
    assert_eq!(
        bindings,
        [
            ("parent".to_owned(), "projects/p 1"),
            ("item.id".to_owned(), "7")
        ]
    );
    assert_eq!(
        found.template().as_str(),
        "/v1/{parent=projects/*}/items/{item.id}:get"
    );
    let params = found.into_params();
    assert_eq!(params.len(), 2);
    assert_eq!(params.get(1), Some("7"));
    assert_eq!(params.get(2), None);
    assert_eq!(format!("{params:?}"), r#"["projects/p 1", "7"]"#);
}

#[test]
fn templates_past_the_inline_variables_keep_every_value() {
    let six = router(&[("GET", "/{a}/{b}/{c}/{d}/{e}/{f=x/**}")]);
    let Lookup::Found(found) = six.lookup(&Method::GET, "/1/22/3%20/4/55/x/y/z") else {
        panic!("no match");
    };
    let params = found.into_params();
    assert_eq!(params.len(), 6);
    assert_eq!(
        params.iter().collect::<Vec<_>>(),
        ["1", "22", "3 ", "4", "55", "x/y/z"]
    );
    assert_eq!(params.iter().len(), 6);
    assert_eq!(
        (params.get(4), params.get(5), params.get(6)),
        (Some("55"), Some("x/y/z"), None)
    );
    // Equality is by values, wherever they are kept.
    let four = router(&[("GET", "/{a}/{b}/{c}/{d}")]);
    let Lookup::Found(found) = four.lookup(&Method::GET, "/1/2/3/4") else {
        panic!("no match");
    };
    assert_eq!(format!("{:?}", found.params()), r#"["1", "2", "3", "4"]"#);
    assert_eq!(found.params(), &found.params().clone());
}

#[test]
fn literal_only_variable_binds_its_text() {
    let router = router(&[("GET", "/x/{a=b/c}"), ("GET", "/y/{a=b%2Fc}")]);
    let Lookup::Found(found) = router.lookup(&Method::GET, "/x/b/c") else {
        panic!("no match");
    };
    assert_eq!(found.params().get(0), Some("b/c"));
    let Lookup::Found(found) = router.lookup(&Method::GET, "/y/b%2Fc") else {
        panic!("no match");
    };
    assert_eq!(found.params().get(0), Some("b/c"));
}

#[test]
fn duplicate_registration_is_an_error() {
    let mut router = Router::new();
    let name = template("/v1/{name}");
    assert_eq!(router.insert(Method::GET, &name, 1), Ok(()));

    let same = router.insert(Method::GET, &template("/v1/{name=*}"), 2);
    let Err(error) = same else {
        panic!("accepted a duplicate");
    };
    assert_eq!(
        error.to_string(),
        "duplicate route GET /v1/{name=*}: it is already registered"
    );

    let renamed = router.insert(Method::GET, &template("/v1/{id}"), 3);
    let Err(error) = renamed else {
        panic!("accepted a conflicting route");
    };
    assert_eq!(
        error.to_string(),
        "route GET /v1/{id=*} conflicts with GET /v1/{name=*}: \
         they match exactly the same requests"
    );

    // Other methods, `Any`, another verb or another shape are fine.
    assert_eq!(router.insert(Method::POST, &name, 4), Ok(()));
    assert_eq!(router.insert(MethodFilter::Any, &name, 5), Ok(()));
    assert_eq!(
        router.insert(Method::GET, &template("/v1/{name}:get"), 6),
        Ok(())
    );
    assert_eq!(
        router.insert(Method::GET, &template("/v1/{name=**}"), 7),
        Ok(())
    );
    assert!(
        router
            .insert(MethodFilter::Any, &template("/v1/{x}"), 8)
            .is_err()
    );
    assert_eq!(router.len(), 5);

    // The failed insertions left the router as it was.
    let Lookup::Found(found) = router.lookup(&Method::GET, "/v1/a") else {
        panic!("no match");
    };
    assert_eq!(*found.value, 1);
}

#[test]
fn method_filter_parses_http_rule_kinds() {
    assert_eq!("*".parse::<MethodFilter>().ok(), Some(MethodFilter::Any));
    assert_eq!(
        "HEAD".parse::<MethodFilter>().ok(),
        Some(MethodFilter::Exact(Method::HEAD))
    );
    assert!("BAD METHOD".parse::<MethodFilter>().is_err());
    assert_eq!(MethodFilter::Any.to_string(), "*");
    assert!(MethodFilter::Any.matches(&Method::CONNECT));
    assert!(!MethodFilter::from(Method::GET).matches(&Method::HEAD));
}

#[test]
fn empty_router_finds_nothing() {
    let router: Router<()> = Router::default();
    assert!(router.is_empty());
    assert!(matches!(router.lookup(&Method::GET, "/"), Lookup::NotFound));
}

/// A brute-force statement of the matching rules: a template matches if its
/// segments line up with the request's (`**` taking what the literal tail
/// leaves over); the most specific match wins, ranking templates segment by
/// segment (literal, then `*`, then the end of the template, then `**`, and
/// after `**` the longer tail).
fn reference_match(
    template: &PathTemplate,
    segments: &[&str],
    verb: Option<&str>,
) -> Option<(Vec<isize>, Vec<String>)> {
    use kratos_path_template::Segment;

    let pattern = template.segments();
    let deep = template.deep_wildcard();
    let fits = match deep {
        Some(_) => segments.len() + 1 >= pattern.len(),
        None => segments.len() == pattern.len(),
    };
    if template.verb() != verb || !fits {
        return None;
    }
    // The request segments matched by template segment `index`.
    let covered = |index: usize| match deep {
        Some(deep) if index >= deep => {
            let shift = segments.len() + 1 - pattern.len();
            let start = if index == deep {
                deep
            } else {
                index + shift - 1
            };
            start..index + shift
        }
        _ => index..index + 1,
    };
    let mut rank = Vec::new();
    for (index, segment) in pattern.iter().enumerate() {
        match segment {
            Segment::Literal(literal) if segments[covered(index)] != [literal.as_str()] => {
                return None;
            }
            Segment::Literal(_) if deep.is_some_and(|deep| index > deep) => {}
            Segment::Literal(_) => rank.push(0),
            Segment::Wildcard => rank.push(1),
            Segment::DeepWildcard => rank.extend([3, index as isize + 1 - pattern.len() as isize]),
        }
    }
    if deep.is_none() {
        rank.push(2);
    }
    let values = template.variables().iter().map(|variable| {
        let range = variable.segments();
        segments[covered(range.start).start..covered(range.end - 1).end].join("/")
    });
    Some((rank, values.collect()))
}

/// A deterministic xorshift generator: random cases without a dependency.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }

    fn pick(&mut self, choices: &[&'static str]) -> &'static str {
        choices[self.below(choices.len())]
    }
}

#[test]
fn matching_agrees_with_a_brute_force_reference() {
    const PARTS: &[&str] = &["a", "b", "*", "**", "{x}", "{y=a/**}", "{z=**}", "{w=*/b}"];
    const REQUEST_PARTS: &[&str] = &["a", "b", "c", ""];
    const VERBS: &[&str] = &["", "v", "w"];
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut found = 0;
    for _ in 0..300 {
        let mut router = Router::new();
        let mut templates = Vec::new();
        for id in 0..10 {
            let parts: Vec<_> = (0..random.below(4)).map(|_| random.pick(PARTS)).collect();
            let verb = random.pick(VERBS);
            let text = match (parts.is_empty(), verb) {
                (true, _) => "/".to_owned(),
                (false, "") => format!("/{}", parts.join("/")),
                (false, verb) => format!("/{}:{verb}", parts.join("/")),
            };
            let Ok(template) = PathTemplate::parse(&text) else {
                continue;
            };
            if router.insert(Method::GET, &template, id).is_ok() {
                templates.push((template, id));
            }
        }
        for _ in 0..100 {
            let segments: Vec<_> = (0..random.below(5))
                .map(|_| random.pick(REQUEST_PARTS))
                .collect();
            let mut path = format!("/{}", segments.join("/"));
            let verb = Some(random.pick(VERBS)).filter(|verb| {
                !verb.is_empty()
                    && templates
                        .iter()
                        .any(|(template, _)| template.verb() == Some(verb))
            });
            if let Some(verb) = verb {
                path = format!("{path}:{verb}");
            }
            let trimmed = segments
                .iter()
                .rposition(|s| !s.is_empty())
                .map_or(0, |last| last + 1);
            let expected = templates
                .iter()
                .filter_map(|(template, id)| {
                    reference_match(template, &segments[..trimmed], verb)
                        .map(|(rank, values)| (rank, values, id))
                })
                .min_by(|a, b| a.0.cmp(&b.0));
            match (router.lookup(&Method::GET, &path), expected) {
                (Lookup::Found(route), Some((_, values, id))) => {
                    assert_eq!(route.value, id, "{path} in {templates:?}");
                    assert!(
                        route.params().iter().eq(values.iter().map(String::as_str)),
                        "{path}"
                    );
                    found += 1;
                }
                (Lookup::NotFound, None) => {}
                (lookup, expected) => {
                    panic!("{path}: {lookup:?}, expected {expected:?} in {templates:?}")
                }
            }
        }
    }
    assert!(
        found > 5_000,
        "only {found} matches: the test lost its teeth"
    );
}

/// What a lookup answered, comparable across two routers.
fn outcome(lookup: &Lookup<'_, String>) -> String {
    match lookup {
        Lookup::Found(matched) => format!("{} {:?}", matched.value, matched.params()),
        Lookup::MethodNotAllowed { allow } => format!("405 {allow:?}"),
        Lookup::NotFound => "404".to_owned(),
        Lookup::BadPath(message) => format!("400 {message}"),
    }
}

/// Paths made mostly of the pieces routes are made of, plus escapes (some malformed).
fn path_like() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop::collection::vec(
        prop_oneof![
            Just("/"),
            Just("v1"),
            Just("c"),
            Just("d"),
            Just("e"),
            Just("f"),
            Just("files"),
            Just("shelves"),
            Just("books"),
            Just("special"),
            Just(":cancel"),
            Just(":verb"),
            Just(":"),
            Just("%2F"),
            Just("%3A"),
            Just("%ff"),
            Just("%"),
            Just("%zz"),
            Just("a b"),
            Just("é"),
            Just("."),
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Any path, any method: an answer (never a panic), and the same answer whatever order the
    /// routes were registered in.
    #[test]
    fn any_path_gets_the_same_answer_in_any_registration_order(
        path in proptest::prop_oneof![path_like(), proptest::prelude::any::<String>()],
        method_index in 0..5_usize,
    ) {
        let methods = ["GET", "POST", "DELETE", "HEAD", "PATCH"];
        let request_method = method(methods[method_index]);
        let forward = router(ROUTES);
        let backward = router(ROUTES.iter().rev());
        let there = outcome(&forward.lookup(&request_method, &path));
        let back = outcome(&backward.lookup(&request_method, &path));
        proptest::prop_assert_eq!(there, back, "{}", path);
    }
}

/// `**` matches zero segments before a verb too, in every shape a template
/// with a verb can take; a `*` or a literal still needs its segment.
#[test]
fn deep_wildcard_matches_zero_segments_before_a_verb() {
    let rows: &[(&str, &str, Option<&[&str]>)] = &[
        ("/**:v", "/:v", Some(&[])),
        ("/**:v", "/:v/", Some(&[])),
        ("/{x=**}:v", "/:v", Some(&[""])),
        ("/a/**:v", "/a:v", Some(&[])),
        ("/a/**:v", "/a/:v", Some(&[])),
        ("/a/{x=**}:v", "/a/:v", Some(&[""])),
        ("/a/{x=**}:v", "/a:v", Some(&[""])),
        ("/{x=a/**}:v", "/a:v", Some(&["a"])),
        ("/{x=a/**}:v", "/a/:v", Some(&["a"])),
        ("/**/t:v", "/t:v", Some(&[])),
        ("/{x=**}/t:v", "/t:v", Some(&[""])),
        ("/a/{x=**}/t:v", "/a/t:v", Some(&[""])),
        ("/a/{x=b/**}/t:v", "/a/b/t:v", Some(&["b"])),
        ("/{x}:v", "/:v", None),
        ("/*:v", "/:v", None),
        ("/a/{x}:v", "/a/:v", None),
        ("/a:v", "/:v", None),
        ("/**/t:v", "/:v", None),
    ];
    for &(template, path, expected) in rows {
        let mut router = Router::new();
        router
            .insert(Method::POST, &PathTemplate::parse(template).unwrap(), ())
            .unwrap();
        match (router.lookup(&Method::POST, path), expected) {
            (Lookup::Found(found), Some(values)) => assert!(
                found.params().iter().eq(values.iter().copied()),
                "{template} on {path}: {:?}",
                found.params()
            ),
            (Lookup::NotFound, None) => {}
            (lookup, expected) => panic!("{template} on {path}: {lookup:?}, expected {expected:?}"),
        }
    }
}
