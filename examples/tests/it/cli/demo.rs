//! `ochami demo` end to end on a temporary SQLite store, twice.

use super::common::{ochami, texts};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_prints_a_bootscript_and_meta_data_and_can_run_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = format!("sqlite://{}", dir.path().join("x.db").display());
    for run in 1..=2 {
        let out = ochami(&["demo", "--store", &store], &[]).await;
        let (stdout, stderr) = texts(&out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "run {run}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        let script = stdout
            .split_once("iPXE script of ")
            .map(|(_, s)| s)
            .unwrap_or("");
        let first_body_line = script.lines().nth(1).map(str::trim);
        assert_eq!(first_body_line, Some("#!ipxe"), "run {run}:\n{stdout}");
        assert!(
            stdout.contains("rd.debug"),
            "the node override reaches the script:\n{stdout}"
        );
        assert!(stdout.contains("instance-id"), "run {run}:\n{stdout}");
        assert!(
            stdout.contains("Discovered 6 BMCs, 13 nodes"),
            "run {run}:\n{stdout}"
        );
        assert!(
            stdout.contains("x1000c0s0b0n1"),
            "the blade's second UUID-less node:\n{stdout}"
        );
        assert!(stdout.contains("Demo done in"), "{stdout}");
        assert!(
            stdout.contains("--dhcp-interface") && stdout.contains("--boot-files"),
            "the netboot flags:\n{stdout}"
        );
    }
}
