//! Text round trips as properties: `ls` listings and JSON.

use proptest::prelude::*;
use tungsten_model::ls::Listing;
use tungsten_model::strategy;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// Rendering a listing and reading it back gives the same listing.
    #[test]
    fn listing_render_then_parse_is_identity(listing in strategy::listing()) {
        let text = listing.to_string();
        let back: Listing = text.parse().map_err(|e: tungsten_model::ParseError| TestCaseError::fail(format!("{}\n{text}", e.caret())))?;
        prop_assert_eq!(back, listing);
    }

    /// A listing survives JSON.
    #[test]
    fn listing_json_round_trip(listing in strategy::listing()) {
        let json = serde_json::to_string(&listing).unwrap();
        let back: Listing = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, listing);
    }

    /// Any text at all gives a listing or a located error, never a panic; the error's line
    /// exists in the input.
    #[test]
    fn any_text_parses_or_fails_located(text in "(\\PC{0,40}\n){0,12}") {
        if let Err(e) = text.parse::<Listing>() {
            let lines = text.split('\n').count();
            prop_assert!(e.span().line >= 1 && e.span().line <= lines.max(1));
            let _ = e.caret();
        }
    }
}
