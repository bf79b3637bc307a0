//! `gapwatch export --site`: a static site from the stored renderings, byte for byte.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gapwatch_report::{FeedEntry, render_atom};
use gapwatch_store::Store;

/// Writes index.html (the latest version), vN.html per version, feed.atom and data.json.
pub fn export(
    store: &Store,
    story_id: &str,
    title: &str,
    dir: &Path,
    base_url: &str,
) -> Result<Vec<PathBuf>> {
    let versions = store.versions(story_id)?;
    let Some(latest) = versions.last() else {
        bail!("story {story_id} has no published version to export; run `gapwatch publish` first");
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    let mut write = |name: &str, bytes: &[u8]| -> Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
        Ok(())
    };
    let base = base_url.trim_end_matches('/');
    let mut entries = Vec::new();
    for v in &versions {
        let html = rendering(store, story_id, v.version, "html")?;
        write(&format!("v{}.html", v.version), &html)?;
        let json = rendering(store, story_id, v.version, "json")?;
        entries.push(
            FeedEntry::from_digest_json(
                &json,
                &v.published_at,
                format!("{base}/v{}.html", v.version),
            )
            .with_context(|| {
                format!("story {story_id} v{}: stored JSON is unreadable", v.version)
            })?,
        );
        if v.version == latest.version {
            write("index.html", &html)?;
            write("data.json", &json)?;
        }
    }
    let feed = render_atom(title, base, &format!("{base}/feed.atom"), &entries);
    write("feed.atom", feed.as_bytes())?;
    Ok(written)
}

fn rendering(store: &Store, story_id: &str, version: u32, format: &str) -> Result<Vec<u8>> {
    store
        .rendering(story_id, version, format)?
        .with_context(|| format!("story {story_id} v{version} has no {format} rendering"))
}
