//! The rows `sqlite_claims.py` inserts, generated in Rust: the same Mersenne Twister seeded
//! the same way, the same calls in the same order, so that W2 stores exactly the peer's
//! claims.
//!
//! The peer draws, for row `i`: `snapshot = i // 200`, `source = f"source-{i % 100}"`,
//! `rng.choice(models)` of 5,000, `rng.choice(benches)` of 50, and
//! `round(rng.uniform(0, 100), 2)`, with `rng = random.Random(7)`.

/// CPython's `random.Random`: MT19937, seeded by `init_by_array` from an integer's 32-bit
/// words, with `random()`, `getrandbits(k ≤ 32)`, `_randbelow` and `uniform` as CPython
/// computes them.
pub(crate) struct PyRandom {
    mt: [u32; 624],
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)` for a seed below 2³².
    pub(crate) fn new(seed: u32) -> Self {
        let mut r = PyRandom {
            mt: [0; 624],
            index: 624,
        };
        r.init_genrand(19_650_218);
        let key = [seed];
        let (n, mut i, mut j) = (624usize, 1usize, 0usize);
        for _ in 0..n.max(key.len()) {
            let prev = r.mt[i - 1];
            r.mt[i] = (r.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= n {
                r.mt[0] = r.mt[n - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..n - 1 {
            let prev = r.mt[i - 1];
            r.mt[i] = (r.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= n {
                r.mt[0] = r.mt[n - 1];
                i = 1;
            }
        }
        r.mt[0] = 0x8000_0000;
        r
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..624 {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        self.index = 624;
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= 624 {
            for i in 0..624 {
                let y = (self.mt[i] & 0x8000_0000) | (self.mt[(i + 1) % 624] & 0x7fff_ffff);
                let mag = if y & 1 == 1 { 0x9908_b0df } else { 0 };
                self.mt[i] = self.mt[(i + 397) % 624] ^ (y >> 1) ^ mag;
            }
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random.random()`: 53 random bits in [0, 1).
    pub(crate) fn random(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.choice` of a sequence of `n` (1 ≤ n < 2³²): the index it picks.
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        let k = 32 - n.leading_zeros();
        loop {
            let r = self.next_u32() >> (32 - k);
            if r < n {
                return r;
            }
        }
    }

    /// `random.uniform(a, b)`.
    pub(crate) fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }
}

/// Python's `round(x, 2)`: the nearest double to `x` correctly rounded to two decimals.
pub(crate) fn round2(x: f64) -> f64 {
    format!("{x:.2}").parse().unwrap_or(x)
}

/// Models and benchmarks the peer draws from.
pub(crate) const MODELS: u32 = 5_000;
pub(crate) const BENCHES: u32 = 50;
/// Rows per snapshot, and sources, as the peer numbers them.
pub(crate) const PER_SNAPSHOT: usize = 200;
pub(crate) const SOURCES: usize = 100;

/// One row of the peer: its snapshot, model, benchmark and value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PeerRow {
    pub(crate) snapshot: usize,
    pub(crate) model: u32,
    pub(crate) bench: u32,
    pub(crate) value: f64,
}

/// The peer's rows, in its order.
pub(crate) struct PeerRows {
    rng: PyRandom,
    next: usize,
    n: usize,
}

impl PeerRows {
    pub(crate) fn new(n: usize) -> Self {
        PeerRows {
            rng: PyRandom::new(7),
            next: 0,
            n,
        }
    }
}

impl Iterator for PeerRows {
    type Item = PeerRow;

    fn next(&mut self) -> Option<PeerRow> {
        if self.next >= self.n {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let model = self.rng.below(MODELS);
        let bench = self.rng.below(BENCHES);
        let value = round2(self.rng.uniform(0.0, 100.0));
        Some(PeerRow {
            snapshot: i / PER_SNAPSHOT,
            model,
            bench,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_cpythons() {
        // python3 -c "import random; r = random.Random(7); print([r.random() for _ in range(3)])"
        let mut r = PyRandom::new(7);
        let got: Vec<f64> = (0..3).map(|_| r.random()).collect();
        assert_eq!(
            got,
            [0.32383276483316237, 0.15084917392450192, 0.6509344730398537]
        );
        // r = random.Random(7); [(r.choice(range(5000)), r.choice(range(50)),
        //     round(r.uniform(0, 100), 2)) for _ in range(3)]
        let rows: Vec<(u32, u32, f64)> = PeerRows::new(3)
            .map(|p| (p.model, p.bench, p.value))
            .collect();
        assert_eq!(rows, [(2652, 9, 39.48), (395, 4, 82.13), (771, 23, 58.28)]);
    }

    #[test]
    fn the_rows_are_the_peers() {
        // As sqlite_claims.py draws them, with CPython 3.11: distinct (snapshot, model,
        // benchmark) keys among the first 200,000 rows, the sum of their values, the last row.
        let rows: Vec<PeerRow> = PeerRows::new(200_000).collect();
        let keys: std::collections::HashSet<(usize, u32, u32)> = rows
            .iter()
            .map(|r| (r.snapshot, r.model, r.bench))
            .collect();
        assert_eq!(keys.len(), 199_916);
        let sum: f64 = rows.iter().map(|r| r.value).sum();
        assert_eq!(sum, 10_006_799.469_999_98);
        let last = rows[rows.len() - 1];
        assert_eq!(
            (last.snapshot, last.model, last.bench, last.value),
            (999, 398, 7, 13.5)
        );
    }
}
