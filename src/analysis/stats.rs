//! Running sums of a sample (count, mean, spread, extremes) that can be
//! added to one value at a time and copied as snapshots, and the 95%
//! t-interval of a mean.

/// Count, sum, sum of squares, minimum and maximum of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Acc {
    pub n: u64,
    pub sum: f64,
    pub(crate) sumsq: f64,
    pub min: f64,
    pub max: f64,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            n: 0,
            sum: 0.0,
            sumsq: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Acc {
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sumsq += x * x;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        self.sum / self.n as f64
    }

    /// Sum of squared deviations from the mean (never negative).
    pub fn ss(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        (self.sumsq - self.sum * self.sum / self.n as f64).max(0.0)
    }

    /// Sample standard deviation (n - 1); `None` below two values.
    pub(crate) fn sd(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.ss() / (self.n - 1) as f64).sqrt())
    }

    /// The 95% t-interval of the mean; `None` below two values.
    pub fn interval(&self) -> Option<(f64, f64)> {
        let sd = self.sd()?;
        let half = t95(self.n - 1) * sd / (self.n as f64).sqrt();
        let m = self.mean();
        Some((m - half, m + half))
    }
}

/// The two-sided 95% quantile of Student's t with `df` degrees of freedom
/// (1.96 from 120 on).
pub(crate) fn t95(df: u64) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[(df - 1) as usize],
        31..=40 => 2.021,
        41..=60 => 2.000,
        61..=119 => 1.980,
        _ => 1.960,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_match_a_direct_computation() {
        let xs = [0.71, 0.79, 0.8, 0.65, 0.77, 0.81];
        let mut a = Acc::default();
        for x in xs {
            a.add(x);
        }
        let m = xs.iter().sum::<f64>() / 6.0;
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 5.0;
        assert!((a.mean() - m).abs() < 1e-12);
        assert!((a.sd().unwrap_or(0.0) - var.sqrt()).abs() < 1e-12);
        let (lo, hi) = a.interval().unwrap_or((0.0, 0.0));
        assert!((hi - lo - 2.0 * 2.571 * var.sqrt() / 6f64.sqrt()).abs() < 1e-12);
        assert_eq!((a.min, a.max), (0.65, 0.81));
        let mut one = Acc::default();
        one.add(0.5);
        assert_eq!(one.interval(), None);
        assert!(t95(1000) < t95(10));
    }
}
