//! `gapwatch gap` over the real leaderboards: every file of the real-sources folder imported as
//! `cargo xtask conformance --db` imports them, then `gap` as of the newest observation, with
//! the model names the registry does not resolve among them.

use anyhow::{Context, Result, bail};
use gapwatch_model::Registry;
use gapwatch_store::Store;

use super::claims::{GAP_RUNS, GapRuns, last_observed, time_gap};
use super::insert::remove_db;
use super::{Ctx, measure};

/// What the real data is, and `gap` over it.
#[derive(Debug)]
pub(crate) struct RealData {
    pub(crate) snapshots: usize,
    pub(crate) claims: u64,
    /// Distinct model names of the claims the registry does not resolve.
    pub(crate) unresolved_names: usize,
    pub(crate) as_of: gapwatch_model::Date,
    pub(crate) gap: GapRuns,
}

pub(crate) fn run(ctx: &Ctx) -> Result<RealData> {
    let db = ctx.work.join("real.sqlite");
    remove_db(&db)?;
    eprintln!(
        "real: importing {} into {}",
        ctx.real_sources.display(),
        db.display()
    );
    let xtask = std::env::current_exe().context("cannot find the running xtask")?;
    let import = measure(
        &xtask,
        &[
            "conformance".as_ref(),
            ctx.real_sources.as_os_str(),
            "--db".as_ref(),
            db.as_os_str(),
        ],
        &ctx.work,
    )?;
    if !import.success {
        bail!("cargo xtask conformance --db {} failed", db.display());
    }
    let (snapshots, claims, unresolved_names) = {
        let store = Store::open(&db)?;
        let registry = Registry::builtin()?;
        let set = store.claim_set(None)?;
        let mut names = std::collections::BTreeSet::new();
        for subject in set.subjects() {
            for name in &subject.models {
                if registry.resolve_model_name(name).id().is_none() {
                    names.insert(name.clone());
                }
            }
        }
        (
            store.snapshots(None)?.len(),
            store.claim_count()?,
            names.len(),
        )
    };
    let as_of = last_observed(&db)?;
    eprintln!("real: gapwatch gap as of {as_of}");
    let gap = time_gap(ctx, &db, as_of, GAP_RUNS)?;
    Ok(RealData {
        snapshots,
        claims,
        unresolved_names,
        as_of,
        gap,
    })
}
