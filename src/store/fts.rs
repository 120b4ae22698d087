//! The search index's text: what `items_fts` holds for an item on both backends, and the FTS5 expression
//! translated to PostgreSQL's tsquery.

/// Longest word the search index keeps, in bytes (PostgreSQL refuses lexemes past 2 KiB; nobody searches a
/// 200-byte word).
const FTS_MAX_WORD: usize = 200;
/// Words of one item the search index keeps at most.
const FTS_MAX_WORDS: usize = 20_000;

/// What the search index holds for a text, on both backends: its folded words (`text::words`) separated by
/// single spaces. FTS5 (unicode61) splits this back into exactly these words, and PostgreSQL's `items_fts.tsv`
/// is built from exactly these words, so both find the same items for the same prefixes.
pub(super) fn fts_text(text: &str) -> String {
    let mut out = String::new();
    for w in crate::text::words(text)
        .filter(|w| w.len() <= FTS_MAX_WORD)
        .take(FTS_MAX_WORDS)
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w);
    }
    out
}

/// An FTS5 expression as `Query::fts_prefilter` builds it (`"prefix"*` terms, `AND`, `OR`, parentheses) as
/// the same tsquery: `'prefix':*`, `&`, `|`. Anything else in the expression is dropped (it never holds more).
pub(super) fn fts_to_tsquery(fts: &str) -> String {
    let mut out = String::new();
    // After an operand or ')', another operand without an operator between is an implicit AND (as in FTS5).
    let mut after_operand = false;
    let mut chars = fts.chars().peekable();
    let operand = |out: &mut String, after: &mut bool, lexeme: &str, prefix: bool| {
        if *after {
            out.push_str(" & ");
        }
        out.push('\'');
        out.push_str(&lexeme.replace('\\', "\\\\").replace('\'', "''"));
        out.push('\'');
        if prefix {
            out.push_str(":*");
        }
        *after = true;
    };
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                if after_operand {
                    out.push_str(" & ");
                }
                out.push('(');
                after_operand = false;
            }
            ')' => {
                out.push(')');
                after_operand = true;
            }
            '"' => {
                let lexeme: String = chars.by_ref().take_while(|&c| c != '"').collect();
                let prefix = chars.next_if_eq(&'*').is_some();
                operand(&mut out, &mut after_operand, &lexeme, prefix);
            }
            c if c.is_alphanumeric() => {
                let mut word = String::from(c);
                while let Some(n) = chars.next_if(|n| n.is_alphanumeric()) {
                    word.push(n);
                }
                match word.as_str() {
                    "AND" => {
                        out.push_str(" & ");
                        after_operand = false;
                    }
                    "OR" => {
                        out.push_str(" | ");
                        after_operand = false;
                    }
                    // A bare word, as FTS5 reads it (folded like the index).
                    _ => {
                        let prefix = chars.next_if_eq(&'*').is_some();
                        operand(
                            &mut out,
                            &mut after_operand,
                            &crate::text::fold(&word),
                            prefix,
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}
