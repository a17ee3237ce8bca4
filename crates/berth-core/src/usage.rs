//! Usage accounting (SPEC R6.1): the month a traffic figure belongs to, and the bytes an
//! access-log line records. Reading files is the caller's; this module only parses text.
//!
//! Access logs are in nginx's default `combined` format, which is what provisioning
//! renders (`access_log "<webspace>/logs/access_log";` without a format name):
//!
//! ```text
//! $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
//! ```
//!
//! The traffic of a line is `$body_bytes_sent`; its month is the UTC month of
//! `$time_local` (`10/Mar/2026:13:55:36 +0100`).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// A calendar month (UTC), the period traffic is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    /// The year.
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    /// The UTC month of an instant.
    pub fn of(at: DateTime<Utc>) -> Self {
        Month {
            year: at.year(),
            month: at.month(),
        }
    }

    /// `YYYY-MM`, the stored form.
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// Its first day.
    pub fn first_day(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }
}

/// One access-log line: when, and how many body bytes were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogEntry {
    /// `$time_local`.
    pub at: DateTime<FixedOffset>,
    /// `$body_bytes_sent`.
    pub bytes: u64,
}

impl LogEntry {
    /// Parses a `combined` line; `None` for lines in another shape (they are skipped, never
    /// a failure: a log is written by the web server, not validated input).
    pub fn parse(line: &str) -> Option<Self> {
        let open = line.find('[')?;
        let close = open + line[open..].find(']')?;
        let at = DateTime::parse_from_str(&line[open + 1..close], "%d/%b/%Y:%H:%M:%S %z").ok()?;
        let rest = &line[close + 1..];
        // Skip the quoted request; it may itself contain spaces but not an unescaped '"'.
        let request_start = rest.find('"')?;
        let request_end = request_start + 1 + rest[request_start + 1..].find('"')?;
        let mut fields = rest[request_end + 1..].split_whitespace();
        let _status = fields.next()?;
        let bytes = fields.next()?;
        let bytes = if bytes == "-" { 0 } else { bytes.parse().ok()? };
        Some(LogEntry { at, bytes })
    }

    /// The UTC month of the line.
    pub fn month(&self) -> Month {
        Month::of(self.at.with_timezone(&Utc))
    }
}

/// The bytes sent in `month` according to the lines of `text`.
pub fn traffic_in(text: &str, month: Month) -> u64 {
    text.lines()
        .filter_map(LogEntry::parse)
        .filter(|e| e.month() == month)
        .map(|e| e.bytes)
        .fold(0u64, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const LINE: &str = r#"203.0.113.7 - - [10/Mar/2026:13:55:36 +0100] "GET /index.html HTTP/1.1" 200 2326 "-" "curl/8.5""#;

    #[test]
    fn r6_1_combined_line_gives_time_and_bytes() {
        let e = LogEntry::parse(LINE).unwrap();
        assert_eq!(e.bytes, 2326);
        assert_eq!(
            e.month(),
            Month {
                year: 2026,
                month: 3
            }
        );
    }

    #[test]
    fn r6_1_month_is_the_utc_month() {
        let line = r#"::1 - bob [01/Apr/2026:00:30:00 +0200] "GET / HTTP/2.0" 200 10 "-" "x""#;
        assert_eq!(LogEntry::parse(line).unwrap().month().key(), "2026-03");
    }

    #[test]
    fn r6_1_odd_lines_are_skipped_not_fatal() {
        for bad in [
            "",
            "garbage",
            "[nope]",
            r#"x - - [10/Mar/2026:13:55:36 +0100] "GET /" 200 lots"#,
        ] {
            assert_eq!(LogEntry::parse(bad), None, "{bad:?}");
        }
        let dash = r#"x - - [10/Mar/2026:13:55:36 +0100] "GET / HTTP/1.1" 304 - "-" "-""#;
        assert_eq!(LogEntry::parse(dash).unwrap().bytes, 0);
    }

    #[test]
    fn r6_1_traffic_counts_only_the_month() {
        let text = format!(
            "{LINE}\n{}\nnot a log line\n{LINE}\n",
            LINE.replace("Mar", "Feb")
        );
        let march = Month::of(Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap());
        assert_eq!(traffic_in(&text, march), 2 * 2326);
        assert_eq!(march.key(), "2026-03");
        assert_eq!(march.first_day().unwrap().to_string(), "2026-03-01");
    }
}
