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
            Ok(_) => problems.push(format!(
                "{} differs from the generated code; run with UPDATE_GOLDEN=1 if the change is intended",
                path.display()
            )),
            Err(err) => problems.push(format!(
                "{}: {err}; run with UPDATE_GOLDEN=1 to create it",
                path.display()
            )),
        }
    }
    problems
}
