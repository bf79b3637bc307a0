//! Embeds the demo fixtures (`fixtures/<source-id>/<YYYY-MM-DD>.<ext>` at the workspace root)
//! so that `gapwatch demo` runs anywhere, with no files beside the binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let fixtures = manifest.join("../../fixtures");
    println!("cargo:rerun-if-changed={}", fixtures.display());
    let mut entries = Vec::new();
    if let Ok(dirs) = fs::read_dir(&fixtures) {
        for dir in dirs.flatten() {
            let path = dir.path();
            if !path.is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            let source = dir.file_name().to_string_lossy().into_owned();
            for file in fs::read_dir(&path).into_iter().flatten().flatten() {
                let p = file.path();
                if let Some((date, ext)) = dated(&p) {
                    entries.push((source.clone(), date, ext, p.canonicalize().unwrap_or(p)));
                }
            }
        }
    }
    entries.sort();
    let mut code = String::from(
        "/// Demo fixtures: (source id, observed date, extension, bytes).\npub(crate) static FIXTURES: &[(&str, &str, &str, &[u8])] = &[\n",
    );
    for (source, date, ext, path) in &entries {
        let _ = writeln!(
            code,
            "    ({source:?}, {date:?}, {ext:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("fixtures.rs");
    if let Err(e) = fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}

/// `2025-05-07.json` → ("2025-05-07", "json"), for files named by date only.
fn dated(path: &Path) -> Option<(String, String)> {
    let stem = path.file_stem()?.to_str()?;
    let ext = path.extension()?.to_str()?;
    let b = stem.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    ok.then(|| (stem.to_owned(), ext.to_owned()))
}
