//! Reading CSV files (the csv crate): quotes, CRLF and a UTF-8 byte-order mark as any
//! spreadsheet writes them, blank lines and `#` comment lines skipped, fields trimmed.

/// One record of a CSV text: its fields and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: u64,
    pub fields: Vec<String>,
}

/// The records of `text`, one per line. A spreadsheet's trailing separator (`1,2,3,`) leaves
/// an empty last field, which is dropped; a malformed record (an unclosed quote: a field may
/// not span lines here) is an error naming its line.
///
/// Each line is read on its own because the csv crate (1.4) counts neither the comment lines
/// nor the blank lines it skips in its record positions, which would misplace every message.
pub fn records(text: &str) -> impl Iterator<Item = Result<Record, String>> + '_ {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    (1..)
        .zip(text.lines())
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(line, l)| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(l.as_bytes());
            let mut record = csv::StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(true) => {
                    let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
                    if fields.len() > 1 && fields.last().is_some_and(String::is_empty) {
                        fields.pop();
                    }
                    Ok(Record { line, fields })
                }
                Ok(false) => Ok(Record {
                    line,
                    fields: Vec::new(),
                }),
                Err(e) => Err(format!("line {line}: {}", error_kind(&e))),
            }
        })
}

/// What went wrong, without the csv crate's position text (the caller names the line).
fn error_kind(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".into(),
        _ => "not a CSV record (an unclosed quote?)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(u64, Vec<String>)> {
        records(text)
            .map(|r| r.map(|r| (r.line, r.fields)).unwrap())
            .collect()
    }

    fn row(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
        (line, fields.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn spreadsheet_csv_reads_as_written() {
        // "CSV UTF-8" with a BOM, CRLF, a trailing separator, quotes, a comment, a blank line.
        let text = "\u{feff}1, 2,3,\r\n# comment\r\n\r\n  \r\n\"4\",\"5.5\", -6\r\n";
        assert_eq!(
            read(text),
            vec![row(1, &["1", "2", "3"]), row(5, &["4", "5.5", "-6"])]
        );
        // Only the last empty field is a trailing separator; one inside the row is a value.
        assert_eq!(read("1,,3\n"), vec![row(1, &["1", "", "3"])]);
    }
}
