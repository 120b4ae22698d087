//! Errors as a person reads them: one line, each cause said once.

/// `e` and its causes (`source()` chain) on one line. A cause whose words the line already carries is not
/// said again (sqlx, reqwest and thiserror wrappers often repeat their inner error in their own text), line
/// breaks are folded (parsers draw a caret under the error on a second line), and the OS's "(os error N)"
/// is left out.
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(cause) = next {
        next = cause.source();
        let text = fold(&cause.to_string());
        let text = text.trim_end_matches('.');
        if text.is_empty() || out.contains(text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(text);
    }
    out
}

/// `text` on one line, without the OS's error numbers.
fn fold(text: &str) -> String {
    let mut folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    while let Some(at) = folded.find(" (os error ") {
        let end = folded[at..].find(')').map_or(folded.len(), |n| at + n + 1);
        folded.replace_range(at..end, "");
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("database error: {0}")]
    struct Outer(#[from] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("Error while sending HTTP request.")]
    struct Opaque(#[source] std::io::Error);

    #[test]
    fn each_cause_once_on_one_line() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such table\n  ^ here");
        assert_eq!(
            one_line(&Outer(io())),
            "database error: no such table ^ here"
        );
        // A wrapper that hides its cause shows it.
        assert_eq!(
            one_line(&Opaque(std::io::Error::from_raw_os_error(111))),
            "Error while sending HTTP request: Connection refused"
        );
    }
}
