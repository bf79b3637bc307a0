//! The scheduling recipes of docs/operations.md, run as written against a stub `gapwatch`
//! that exits with the status a test chooses: the cron lines mail (print) exactly when a person
//! is needed, the systemd unit fails on attention and still publishes, the CI step publishes
//! and fails on attention. The commands the recipes give the real binary parse.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn operations() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/operations.md");
    std::fs::read_to_string(path).unwrap()
}

/// The fenced blocks of `language` after `heading`, up to the next `## ` heading.
fn blocks(text: &str, heading: &str, language: &str) -> Vec<String> {
    let start = text.find(&format!("## {heading}\n")).expect("the section");
    let section = &text[start + 3..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .split(&format!("```{language}\n"))
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_owned())
        .collect()
}

/// A folder with a stub `gapwatch` that logs its arguments and prints on both outputs, a
/// workspace folder and a site folder.
struct Stub {
    dir: tempfile::TempDir,
}

impl Stub {
    fn new() -> Stub {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["bin", "srv", "www"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let script = r#"#!/bin/sh
echo "gapwatch $*" >> "$STUB_CALLS"
echo "stdout of gapwatch $1"
echo "stderr of gapwatch $1" >&2
case "$1" in
  ingest) [ -n "$STUB_JSON" ] && echo '[{"source": "stub"}]'; exit "${STUB_INGEST:-0}" ;;
  publish) exit "${STUB_PUBLISH:-0}" ;;
  export) exit "${STUB_EXPORT:-0}" ;;
esac
exit 0
"#;
        let path = dir.path().join("bin/gapwatch");
        std::fs::write(&path, script).unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Stub { dir }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The recipe's paths moved into this folder.
    fn localize(&self, text: &str) -> String {
        text.replace("/srv/gapwatch", self.path("srv").to_str().unwrap())
            .replace("/var/www/gap", self.path("www").to_str().unwrap())
            .replace(
                "/usr/local/bin/gapwatch",
                self.path("bin/gapwatch").to_str().unwrap(),
            )
    }

    /// Runs `script` with `shell`, the stub first on PATH, the given exit statuses.
    fn run(&self, shell: &[&str], script: &str, statuses: &[(&str, i32)]) -> Output {
        let calls = self.path("calls");
        let _ = std::fs::remove_file(&calls);
        let mut cmd = Command::new(shell[0]);
        cmd.args(&shell[1..])
            .arg(script)
            .current_dir(self.path("srv"))
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.path("bin").display()),
            )
            .env("STUB_CALLS", &calls);
        for (name, status) in statuses {
            cmd.env(name, status.to_string());
        }
        cmd.output().unwrap()
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls"))
            .unwrap_or_default()
            .lines()
            .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_owned())
            .collect()
    }
}

fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `gapwatch ARGS --help` with the real binary: the command line parses.
fn parses(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_gapwatch"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gapwatch {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The cron jobs: (schedule, command), environment lines left out.
fn cron_jobs() -> Vec<(String, String)> {
    let block = blocks(&operations(), "cron", "cron").remove(0);
    block
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter(|l| {
            let first = l.split_whitespace().next().unwrap();
            !first.contains('=')
        })
        .map(|l| {
            let fields: Vec<&str> = l.splitn(6, char::is_whitespace).collect();
            let schedule = l.split_whitespace().take(5).collect::<Vec<_>>().join(" ");
            let command = l.split_whitespace().skip(5).collect::<Vec<_>>().join(" ");
            assert_eq!(fields.len(), 6, "{l}");
            (schedule, command)
        })
        .collect()
}

#[test]
fn the_cron_ingest_line_mails_on_failure_attention_and_stops_and_is_silent_on_success() {
    let jobs = cron_jobs();
    let (schedule, ingest) = jobs
        .iter()
        .find(|(_, c)| c.contains("gapwatch ingest"))
        .unwrap();
    assert_eq!(schedule, "0 */6 * * *");
    // `%` is a newline to cron: a recipe line must not have one.
    assert!(!ingest.contains('%'), "{ingest}");
    let stub = Stub::new();
    let line = stub.localize(ingest);

    let ok = stub.run(&["sh", "-c"], &line, &[("STUB_INGEST", 0)]);
    assert!(ok.status.success());
    assert_eq!(printed(&ok), "", "silent on success: no mail");
    assert_eq!(stub.calls(), ["ingest"]);

    for status in [1, 3, 130, 143] {
        let out = stub.run(&["sh", "-c"], &line, &[("STUB_INGEST", status)]);
        let mail = printed(&out);
        assert!(
            mail.contains("stdout of gapwatch ingest")
                && mail.contains("stderr of gapwatch ingest"),
            "exit {status} must mail the whole run: {mail:?}"
        );
    }

    // A workspace that is not there is mailed too.
    let missing = ingest.replace("/srv/gapwatch", "/nonexistent/gapwatch-workspace");
    let out = stub.run(&["sh", "-c"], &missing, &[]);
    assert!(!printed(&out).is_empty());
    assert!(stub.calls().is_empty());

    parses(&["ingest"]);
}

#[test]
fn the_cron_publish_line_is_silent_unless_publish_or_export_fails() {
    let jobs = cron_jobs();
    let (_, publish) = jobs
        .iter()
        .find(|(_, c)| c.contains("gapwatch publish"))
        .unwrap();
    assert!(!publish.contains('%'), "{publish}");
    let stub = Stub::new();
    let line = stub.localize(publish);

    let ok = stub.run(&["sh", "-c"], &line, &[]);
    assert!(ok.status.success());
    assert_eq!(printed(&ok), "");
    assert_eq!(stub.calls(), ["publish", "export"]);

    let failed = stub.run(&["sh", "-c"], &line, &[("STUB_PUBLISH", 1)]);
    assert!(printed(&failed).contains("stderr of gapwatch publish"));
    assert_eq!(
        stub.calls(),
        ["publish"],
        "no export after a failed publish"
    );

    let failed = stub.run(&["sh", "-c"], &line, &[("STUB_EXPORT", 1)]);
    assert!(printed(&failed).contains("stderr of gapwatch export"));

    parses(&["publish"]);
    parses(&["export", "--site", "/var/www/gap"]);
}

/// `Key=value` lines of an ini block, in order.
fn ini(block: &str) -> Vec<(String, String)> {
    block
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('['))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[test]
fn the_systemd_unit_fails_on_attention_publishes_whatever_happened_and_takes_a_stop_as_clean() {
    let found = blocks(&operations(), "systemd timer", "ini");
    assert_eq!(found.len(), 2, "a service and a timer");
    let service = ini(&found[0]);
    let timer = ini(&found[1]);
    let values = |unit: &[(String, String)], key: &str| -> Vec<String> {
        unit.iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    };
    assert_eq!(values(&service, "Type"), ["oneshot"]);
    let start = values(&service, "ExecStart");
    let post = values(&service, "ExecStopPost");
    assert_eq!(start.len(), 1);
    assert!(!post.is_empty());
    // What systemd does: ExecStart, then every ExecStopPost whatever its status; the unit
    // succeeds on 0 and on the statuses of SuccessExitStatus.
    let success: Vec<i32> = values(&service, "SuccessExitStatus")
        .iter()
        .flat_map(|v| {
            v.split_whitespace()
                .map(|s| s.parse::<i32>().unwrap())
                .collect::<Vec<_>>()
        })
        .chain([0])
        .collect();
    let stub = Stub::new();
    for (status, unit_succeeds) in [(0, true), (1, false), (3, false), (143, true)] {
        let out = stub.run(
            &["sh", "-c"],
            &stub.localize(&start[0]),
            &[("STUB_INGEST", status)],
        );
        let code = out.status.code().unwrap();
        assert_eq!(code, status);
        for command in &post {
            assert!(
                stub.run(&["sh", "-c"], &stub.localize(command), &[])
                    .status
                    .success()
            );
        }
        assert_eq!(
            success.contains(&code),
            unit_succeeds,
            "ingest exiting {status}: the unit should {}",
            if unit_succeeds { "succeed" } else { "fail" }
        );
    }
    // The commands run by the unit, as the real binary reads them.
    for command in start.iter().chain(&post) {
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(words[0], "/usr/local/bin/gapwatch");
        parses(&words[1..]);
    }
    assert_eq!(values(&service, "WorkingDirectory"), ["/srv/gapwatch"]);
    assert_eq!(values(&timer, "OnCalendar"), ["00/6:00"]);
    assert_eq!(values(&timer, "WantedBy"), ["timers.target"]);
}

#[test]
fn the_ci_step_publishes_then_fails_on_failure_attention_and_stops() {
    let yaml = blocks(&operations(), "CI (GitHub Actions)", "yaml").remove(0);
    let step = yaml
        .split("- name: Ingest, publish, export\n")
        .nth(1)
        .expect("the step");
    let (_, script) = step.split_once("run: |\n").unwrap();
    let indent = script.len() - script.trim_start().len();
    let script: String = script
        .lines()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        .map(|l| format!("{}\n", l.get(indent..).unwrap_or("")))
        .collect();
    // GitHub runs a `run` script with bash, stopping at the first failing command.
    let bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"];
    let stub = Stub::new();

    let ok = stub.run(&bash, &script, &[("STUB_INGEST", 0), ("STUB_JSON", 1)]);
    assert!(ok.status.success(), "{}", printed(&ok));
    assert!(!printed(&ok).contains("::error::"));
    assert_eq!(stub.calls(), ["ingest", "publish", "export"]);

    for status in [1, 3, 130, 143] {
        let out = stub.run(&bash, &script, &[("STUB_INGEST", status), ("STUB_JSON", 1)]);
        assert_eq!(out.status.code(), Some(status), "{}", printed(&out));
        assert_eq!(
            stub.calls(),
            ["ingest", "publish", "export"],
            "publishes first"
        );
        let log = printed(&out);
        assert!(
            log.contains(&format!("::error::gapwatch ingest exited {status}")),
            "{log}"
        );
        assert!(
            log.contains(r#"[{"source": "stub"}]"#),
            "the report is shown: {log}"
        );
    }

    let out = stub.run(&bash, &script, &[("STUB_PUBLISH", 1)]);
    assert!(!out.status.success());
    assert_eq!(stub.calls(), ["ingest", "publish"]);

    parses(&["ingest", "--json"]);
    parses(&["export", "--site", "site"]);
    assert!(yaml.contains("cargo install --locked --path gapwatch-src/crates/gapwatch"));
}
