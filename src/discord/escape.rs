//! Making feed text safe to show in Discord: markdown rendered literally, mentions that cannot ping.
//!
//! Every message herald sends also sets `allowed_mentions` to none; escaping is the second belt, so a feed
//! titled "@everyone <@&123> **x**" shows exactly that text.

/// Escapes Discord markdown and neutralises mentions in untrusted text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '[' | ']' | '(' | ')' | '#' | '-'
            | ':' => {
                out.push('\\');
                out.push(c);
            }
            // A zero-width space after @ breaks @everyone, @here and user-name mentions.
            '@' => out.push_str("@\u{200B}"),
            _ => out.push(c),
        }
    }
    out
}

/// Neutralises mentions only, for text Discord shows without markdown (embed footers): a backslash there
/// would show as a backslash.
pub fn unmention(text: &str) -> String {
    text.replace('@', "@\u{200B}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_markdown_are_neutralised() {
        let e = escape("@everyone <@&123> **x** [a](http://b) `c`");
        assert!(!e.contains("@everyone"));
        assert!(e.contains("\\<@\u{200B}&123\\>"));
        assert!(e.contains("\\*\\*x\\*\\*"));
        assert!(e.contains("\\[a\\]\\(http\\:"));
        assert_eq!(escape("plain words, 3.5%"), "plain words, 3.5%");
    }
}
