//! Golden-file checks for generator tests (feature `protoc`): generated files
//! are compared with checked-in copies, or rewritten when `UPDATE_GOLDEN=1`.

use std::path::Path;

use crate::GeneratedFile;

/// Compares every non-insertion file in `files` with `dir/<file name>`; with
/// `UPDATE_GOLDEN=1` in the environment it rewrites them instead. Returns a
/// description of each difference (empty when all match), for the test to
/// assert on.
pub fn compare_golden(dir: &Path, files: &[GeneratedFile]) -> Vec<String> {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    for file in files.iter().filter(|f| f.insertion_point.is_none()) {
        let path = dir.join(&file.name);
        if update {
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, &file.content));
            if let Err(err) = written {
                problems.push(format!("{}: cannot write: {err}", path.display()));
            }
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == file.content => {}
            Ok(expected) => problems.push(format!(
                "{} differs from the generated code; run with UPDATE_GOLDEN=1 if the change is intended\n{}",
                path.display(),
                first_difference(&expected, &file.content)
            )),
            Err(err) => problems.push(format!(
                "{}: {err}; run with UPDATE_GOLDEN=1 to create it",
                path.display()
            )),
        }
    }
    problems
}

/// Lines of context shown before the first differing line.
const CONTEXT_LINES: usize = 2;
/// Differing lines shown from each side.
const SHOWN_LINES: usize = 5;

/// Where `actual` first departs from `expected`: the line number, a little context, then a few
/// lines of each side (`-` golden, `+` generated), so a failing test shows what changed.
fn first_difference(expected: &str, actual: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = old
        .iter()
        .zip(&new)
        .position(|(a, b)| a != b)
        .unwrap_or(old.len().min(new.len()));
    let mut out = format!("first difference at line {}:\n", first + 1);
    for line in &old[first.saturating_sub(CONTEXT_LINES)..first] {
        out.push_str(&format!("  {line}\n"));
    }
    for line in old.iter().skip(first).take(SHOWN_LINES) {
        out.push_str(&format!("- {line}\n"));
    }
    for line in new.iter().skip(first).take(SHOWN_LINES) {
        out.push_str(&format!("+ {line}\n"));
    }
    if old.len() == new.len() && first == old.len() {
        out.push_str("(the lines agree; the line endings or the final newline differ)\n");
    }
    out
}

/// A fresh, empty scratch directory `base/name` for one test case.
pub fn scratch_dir(base: &Path, name: &str) -> std::io::Result<std::path::PathBuf> {
    let dir = base.join(name);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A plugin request for `files` (paths relative to `proto_root`, which is
/// also the include directory), compiled by the vendored protoc in `scratch`.
pub fn request_for(
    proto_root: &Path,
    scratch: &Path,
    files: &[&str],
    parameter: &str,
) -> Result<crate::PluginRequest, String> {
    let protoc = crate::protoc::Protoc::new(scratch).include(proto_root);
    let paths: Vec<std::path::PathBuf> = files.iter().map(|f| proto_root.join(f)).collect();
    let set = protoc
        .descriptor_set(&paths)
        .map_err(|err| err.to_string())?;
    crate::PluginRequest::from_descriptor_set(&set.bytes, set.files, parameter)
        .map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_line_is_shown_with_both_sides() {
        let golden = "a\nb\nc\nd\ne\n";
        let generated = "a\nb\nc\nD\ne\n";
        assert_eq!(
            first_difference(golden, generated),
            "first difference at line 4:\n  b\n  c\n- d\n- e\n+ D\n+ e\n"
        );
    }

    #[test]
    fn a_shorter_file_and_a_newline_only_change_are_explained() {
        assert_eq!(
            first_difference("a\nb\n", "a\n"),
            "first difference at line 2:\n  a\n- b\n"
        );
        assert!(first_difference("a\n", "a").contains("final newline"));
    }
}
