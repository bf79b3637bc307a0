//! The README's workspace walk-through works as written: one install line, and every command
//! runs against files that exist (the repository's fixtures), in order, exiting 0. `ingest`
//! and `watch` need the network: only their command lines are checked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The lines of the first ```sh block after `heading` that contains `marker`.
fn sh_block(text: &str, heading: &str, marker: &str) -> Vec<String> {
    let section = &text[text.find(heading).expect("the section")..];
    let mut blocks = section.split("```sh\n").skip(1);
    let block = blocks
        .find(|b| b.split("```").next().unwrap().contains(marker))
        .expect("the block");
    block
        .split("```")
        .next()
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A command line without its trailing comment.
fn without_comment(line: &str) -> &str {
    line.split("  #").next().unwrap().trim()
}

#[test]
fn the_install_line_is_the_one_cargo_install() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let installs: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("cargo install"))
        .collect();
    assert_eq!(installs, ["cargo install --locked --path crates/gapwatch"]);
    assert!(repository().join("crates/gapwatch/Cargo.toml").exists());
}

#[test]
fn the_workspace_walk_through_runs_against_files_that_exist() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let lines = sh_block(&readme, "## Your own workspace", "gapwatch init my-gap");
    // The walk-through runs from the repository's root: a folder holding the fixtures.
    let root = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        repository().join("fixtures").canonicalize().unwrap(),
        root.path().join("fixtures"),
    )
    .unwrap();
    let mut cwd = root.path().to_path_buf();
    let mut ran = 0;
    for line in &lines {
        let command = without_comment(line);
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.as_slice() {
            [] => continue,
            ["cd", dir] => {
                cwd = cwd.join(dir);
                continue;
            }
            ["gapwatch", args @ ..] => {
                for pair in args.windows(2).filter(|w| w[0] == "--file") {
                    assert!(cwd.join(pair[1]).is_file(), "{line}: no file {}", pair[1]);
                }
                let network = matches!(args.first(), Some(&("ingest" | "watch")));
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_gapwatch"));
                cmd.current_dir(&cwd)
                    .env_remove("GAPWATCH_WORKSPACE")
                    .env_remove("GAPWATCH_DB")
                    .env_remove("GAPWATCH_TODAY")
                    .args(args);
                if network {
                    cmd.arg("--help");
                }
                let out = cmd.output().unwrap();
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{line}\nstdout:\n{}\nstderr:\n{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                if args.first() == Some(&"publish") {
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    let version = line.split("# ").nth(1).unwrap().split(',').next().unwrap();
                    assert!(
                        stdout.contains(&format!("open-vs-closed {version} ")),
                        "{line}: {stdout}"
                    );
                }
                ran += 1;
            }
            _ => panic!("a line the walk-through should not have: {line}"),
        }
    }
    assert_eq!(ran, 15, "{lines:?}");
    assert!(cwd.join("public/feed.atom").is_file());
}
