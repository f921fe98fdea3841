//! Tests that need environment variables run in a child process of this test binary, with the
//! variables set on the command (setting them in this process would race the other tests).

use std::process::Command;

const CHILD: &str = "KRATOS_CONFIG_TEST_CHILD";

/// In the parent: runs the test `name` in a child with `variables` set, asserts it passed, and
/// returns `false` (the caller returns). In the child: returns `true` (the caller runs).
pub(crate) fn with_env(name: &str, variables: &[(&str, &str)]) -> bool {
    if std::env::var_os(CHILD).is_some() {
        return true;
    }
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .envs(variables.iter().copied())
        .output()
        .expect("run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name} failed in its child process:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    false
}
