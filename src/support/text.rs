//! Quoting user text in messages.

/// `text` cut to `max` characters (with `...`) and with control characters escaped, for
/// quoting user data in a message without flooding or driving the terminal.
pub fn quoted(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (k, c) in text.chars().enumerate() {
        if k == max {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_short_and_cannot_drive_the_terminal() {
        assert_eq!(quoted("abc", 10), "abc");
        assert_eq!(quoted("abcdef", 3), "abc...");
        assert_eq!(quoted("a\u{1b}[31mb", 20), "a\\u{1b}[31mb");
    }
}
