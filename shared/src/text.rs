//! Input clean-up shared by the parsers: people type on phone keyboards that switch between
//! half-width and full-width forms, and paste numbers with spaces.

/// Trims surrounding whitespace (including the ideographic space U+3000) and maps full-width
/// ASCII forms (U+FF01..U+FF5E, e.g. `１２３Ｘ`) to their half-width equivalents.
pub(crate) fn normalise_ascii(input: &str) -> String {
    input
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect()
}

/// Removes the spaces and dashes people put inside long numbers ("6222 0200 ...").
pub(crate) fn strip_separators(input: &str) -> String {
    input.chars().filter(|c| !matches!(c, ' ' | '-')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_spaces_are_normalised() {
        assert_eq!(normalise_ascii("\u{3000} １２３ｘ "), "123x");
        assert_eq!(strip_separators("6222 0200-1234"), "622202001234");
    }
}
