/// Items as prose: `a`, `a and b`, `a, b and c` (with `conjunction` "and"); empty for none.
/// Refusals, findings and parse errors name hosts and choices this way.
pub(crate) fn series<S: AsRef<str>>(items: &[S], conjunction: &str) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} {conjunction} {}", rest.join(", "), last.as_ref())
        }
        Some((last, _)) => last.as_ref().to_owned(),
        None => String::new(),
    }
}

/// `n` things: "1 step", "2 steps", the noun in the singular for one (a regular plural).
pub(crate) fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::{counted, series};

    #[test]
    fn one_two_and_more_items() {
        let none: [&str; 0] = [];
        assert_eq!(series(&none, "and"), "");
        assert_eq!(series(&["a"], "and"), "a");
        assert_eq!(series(&["a", "b"], "or"), "a or b");
        assert_eq!(series(&["a", "b", "c"], "and"), "a, b and c");
    }

    #[test]
    fn a_count_of_one_is_singular() {
        assert_eq!(counted(0, "step"), "0 steps");
        assert_eq!(counted(1, "step"), "1 step");
        assert_eq!(counted(21, "warning"), "21 warnings");
    }
}
