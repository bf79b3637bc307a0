//! Growth: `gapwatch gap` over stores of 10,000 to 10,000,000 realistic claims, as a user runs
//! it: time, CPU time and peak memory, and memory per claim.

use anyhow::Result;

use super::Ctx;
use super::claims::{BuildFigures, GapRuns, build, last_observed, time_gap};
use super::insert::remove_db;

/// Timed runs per size; the median is reported.
const RUNS: usize = 3;

/// One size.
#[derive(Debug)]
pub(crate) struct Step {
    pub(crate) build: BuildFigures,
    pub(crate) gap: GapRuns,
}

impl Step {
    /// Peak resident memory of `gap` per claim stored.
    pub(crate) fn bytes_per_claim(&self) -> Option<f64> {
        Some(self.gap.peak_kib? as f64 * 1024.0 / self.build.stored as f64)
    }
}

pub(crate) fn run(ctx: &Ctx) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    for &n in ctx.scale.growth {
        let db = ctx.work.join(format!("growth-{n}.sqlite"));
        eprintln!("growth: {n} claims into {}", db.display());
        let build = build(ctx, &db, n)?;
        eprintln!("growth: gapwatch gap over {n} claims");
        let gap = time_gap(ctx, &db, last_observed(&db)?, RUNS)?;
        // The largest stores take gigabytes; nothing reads them again.
        if n >= 1_000_000 {
            remove_db(&db)?;
        }
        steps.push(Step { build, gap });
    }
    Ok(steps)
}
