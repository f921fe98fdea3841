//! Property tests: arbitrary text never makes the parser panic; what it accepts has a
//! canonical form that parses back to itself, and what it rejects is located inside the text.

use kratos_path_template::{PathTemplate, Segment};
use proptest::prelude::*;

/// Text made mostly of the template grammar's own characters, so that many inputs get deep
/// into the parser instead of failing at the first byte.
fn template_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("/"),
            Just("{"),
            Just("}"),
            Just("="),
            Just("*"),
            Just("**"),
            Just(":"),
            Just("."),
            Just("v1"),
            Just("name"),
            Just("a_b"),
            Just("%2F"),
            Just("-"),
            Just("é"),
            Just(" "),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn check(text: &str) {
    match PathTemplate::parse(text) {
        Ok(template) => {
            let canonical = template.canonical();
            let again = PathTemplate::parse(&canonical)
                .unwrap_or_else(|error| panic!("canonical {canonical:?} of {text:?}: {error}"));
            assert_eq!(again.canonical(), canonical, "from {text:?}");
            for variable in template.variables() {
                assert!(variable.segments().end <= template.segments().len());
                assert!(!variable.field_path().is_empty());
            }
            let deep = template
                .segments()
                .iter()
                .filter(|segment| **segment == Segment::DeepWildcard)
                .count();
            assert!(deep <= 1, "{text:?} has {deep} `**`");
        }
        Err(error) => {
            assert!(error.offset() <= text.len(), "{error}");
            assert!(!error.reason().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_is_a_template_or_an_error(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn template_like_text_is_a_template_or_an_error(text in template_like()) {
        check(&text);
    }

    #[test]
    fn slash_prefixed_text_is_a_template_or_an_error(text in template_like()) {
        check(&format!("/{text}"));
    }
}
