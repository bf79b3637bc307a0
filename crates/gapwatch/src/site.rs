//! `gapwatch export --site`: a static site from the stored renderings, byte for byte.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gapwatch_report::{Digest, FeedEntry, render_atom};
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
    let mut digests = Vec::new();
    for v in &versions {
        let html = rendering(store, story_id, v.version, "html")?;
        write(&format!("v{}.html", v.version), &html)?;
        let json = rendering(store, story_id, v.version, "json")?;
        let digest: Digest = serde_json::from_slice(&json).with_context(|| {
            format!("story {story_id} v{}: stored JSON is unreadable", v.version)
        })?;
        digests.push((digest, v.published_at.clone()));
        if v.version == latest.version {
            write("index.html", &html)?;
            write("data.json", &json)?;
        }
    }
    let base = base_url.trim_end_matches('/');
    let entries: Vec<FeedEntry<'_>> = digests
        .iter()
        .map(|(d, at)| FeedEntry {
            digest: d,
            published_at: at,
            link: format!("{base}/v{}.html", d.version),
        })
        .collect();
    let feed = render_atom(title, base, &format!("{base}/feed.atom"), &entries);
    write("feed.atom", feed.as_bytes())?;
    Ok(written)
}

fn rendering(store: &Store, story_id: &str, version: u32, format: &str) -> Result<Vec<u8>> {
    store
        .rendering(story_id, version, format)?
        .with_context(|| format!("story {story_id} v{version} has no {format} rendering"))
}
