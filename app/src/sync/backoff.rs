//! When to try again: exponential backoff with jitter, so a village's phones that lost the
//! network together do not all call back in the same second.

/// First retry after a failure.
pub const BASE_MS: f64 = 5_000.0;
/// Never wait longer than this between attempts while something waits to be sent.
pub const MAX_MS: f64 = 5.0 * 60_000.0;
/// While payments wait for the bank's answer, ask again this often at first.
pub const POLL_BASE_MS: f64 = 10_000.0;

/// The delay before attempt `attempt` (0 = first retry): `base * 2^attempt`, capped at
/// [`MAX_MS`], then "equal jitter": half fixed, half random (`unit` in [0, 1)). The fixed half
/// keeps retries from bunching at zero; the random half spreads them.
pub fn delay_ms(base: f64, attempt: u32, unit: f64) -> u32 {
    let exp = base * 2f64.powi(attempt.min(16) as i32);
    let capped = exp.min(MAX_MS);
    let unit = unit.clamp(0.0, 1.0);
    (capped / 2.0 + capped / 2.0 * unit) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn grows_exponentially_then_caps() {
        assert_eq!(delay_ms(BASE_MS, 0, 1.0), 5_000);
        assert_eq!(delay_ms(BASE_MS, 1, 1.0), 10_000);
        assert_eq!(delay_ms(BASE_MS, 3, 1.0), 40_000);
        assert_eq!(delay_ms(BASE_MS, 10, 1.0), MAX_MS as u32);
        assert_eq!(delay_ms(BASE_MS, u32::MAX, 1.0), MAX_MS as u32);
    }

    #[wasm_bindgen_test]
    fn jitter_stays_within_the_upper_half() {
        for attempt in 0..12 {
            let low = delay_ms(BASE_MS, attempt, 0.0);
            let high = delay_ms(BASE_MS, attempt, 0.999_999);
            assert!(low * 2 >= high.saturating_sub(1), "{attempt}: {low} {high}");
            assert!(low > 0);
        }
        assert_eq!(delay_ms(BASE_MS, 0, 0.0), 2_500);
        assert_eq!(
            delay_ms(BASE_MS, 0, 7.0),
            5_000,
            "out-of-range unit is clamped"
        );
    }
}
