//! A lock file beside the database so two runs never ingest into one database at once.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Held while a run writes; removed when dropped.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
}

impl RunLock {
    /// Takes the lock for `database`, or says who holds it and since when. A lock left by a
    /// process that no longer exists is taken over.
    pub fn acquire(database: &Path, since: &str) -> Result<RunLock> {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        for _ in 0..2 {
            let contents = format!("pid={}\nsince={since}\n", std::process::id());
            match create_with_contents(&path, &contents) {
                Ok(()) => return Ok(RunLock { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    let field = |key: &str| {
                        text.lines()
                            .find_map(|l| l.strip_prefix(key))
                            .map(str::to_owned)
                    };
                    let pid = field("pid=").and_then(|p| p.trim().parse::<u32>().ok());
                    if pid.is_some_and(|p| !process_exists(p)) {
                        // The holder died without cleaning up: the lock is stale.
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    bail!(
                        "{} is in use by another gapwatch run (pid {}, since {}); if no such run exists, remove {}",
                        database.display(),
                        pid.map_or("unknown".to_owned(), |p| p.to_string()),
                        field("since=").unwrap_or_else(|| "an unknown time".to_owned()),
                        path.display()
                    );
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create {}", path.display()));
                }
            }
        }
        bail!("cannot take the lock {}", path.display())
    }
}

/// Creates `path` holding `contents`, or fails with `AlreadyExists`. The contents are written
/// to a file of this process first and then hard-linked into place, so that a run killed at any
/// moment never leaves a lock without the pid that lets the next run see it is stale.
impl RunLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn create_with_contents(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut private = path.as_os_str().to_owned();
    private.push(format!(".{}", std::process::id()));
    let private = PathBuf::from(private);
    std::fs::write(&private, contents)?;
    let linked = std::fs::hard_link(&private, path);
    let _ = std::fs::remove_file(&private);
    match linked {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            // A file system without hard links: create in place, with a short window in
            // which the file exists but is still empty.
            let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
            file.write_all(contents.as_bytes())
        }
        other => other,
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn process_exists(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_is_told_who_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("g.sqlite");
        let held = RunLock::acquire(&db, "2025-01-01T00:00:00Z").unwrap();
        let err = RunLock::acquire(&db, "later").unwrap_err().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        assert!(err.contains("since 2025-01-01T00:00:00Z"), "{err}");
        drop(held);
        assert!(RunLock::acquire(&db, "now").is_ok());
    }

    #[test]
    fn a_stale_lock_from_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("g.sqlite");
        // Pid numbers this high are beyond Linux's pid_max, so no process has it.
        std::fs::write(dir.path().join("g.sqlite.lock"), "pid=4294967\nsince=x\n").unwrap();
        assert!(RunLock::acquire(&db, "now").is_ok());
    }

    #[test]
    fn the_lock_file_holds_pid_and_since_and_nothing_else_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("g.sqlite");
        let held = RunLock::acquire(&db, "2025-01-01T00:00:00Z").unwrap();
        let text = std::fs::read_to_string(dir.path().join("g.sqlite.lock")).unwrap();
        assert_eq!(
            text,
            format!("pid={}\nsince=2025-01-01T00:00:00Z\n", std::process::id())
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["g.sqlite.lock"]);
        drop(held);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
