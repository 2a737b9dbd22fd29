use super::rules;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every alerting rule has a `for:` duration: a valid Prometheus duration (`30s`, `5m`,
    /// `1h30m`), so the condition must hold for a while before the alert fires.
    ///
    /// A missing or empty `for:` is a finding at the rule's `- alert:` line; a value that
    /// is not a duration (Prometheus would refuse to load the file) is a finding at the value. `keep_firing_for` does not replace `for`:
    /// it keeps a resolved alert firing, it does not delay firing. Templated values (`{{ }}`)
    /// are not judged.
    ///
    /// Some alerts fire at once on purpose: `Watchdog` always fires to prove the pipeline
    /// works, and an alert on a counter increase has nothing to wait for. Say so where the alert
    /// is: an explicit `for: 0s` is read as that decision (it is listed in the evidence, not
    /// reported), or, with a reason, a comment just above its `- alert:` line:
    /// `# golive:ignore alerts/for-duration -- always fires: dead man's switch`, or with a
    /// `[[waiver]]` in golive.toml.
    ///
    /// ## Why it matters
    /// Without `for`, one evaluation where the expression is true pages someone: a scrape
    /// blip, a single slow request or a deploy's restart becomes an alert that resolves itself a
    /// minute later. Teams learn to ignore such alerts. The monitoring article (002) makes
    /// "Add 'for' duration" the fix for an unclear signal and uses `for: 5m` in every example
    /// rule; the checklists ask for alerts that are actionable and tracked (003, Alerts).
    ///
    /// ## How to fix
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: job:http_errors:ratio_rate5m > 0.05
    ///   for: 5m
    /// ```
    /// or, for an alert that must fire at once:
    /// ```yaml
    /// # golive:ignore alerts/for-duration -- dead man's switch, always firing by design
    /// - alert: Watchdog
    ///   expr: vector(1)
    /// ```
    pub struct ForDuration {
        id: "alerts/for-duration",
        title: "Alerts wait with a `for:` duration",
        category: Alerting,
        level: Silver,
        severity: Warning,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: refine the threshold, add a 'for' duration, reduce false positives",
            "003: Go-live checklist, Alerts: all alerts should be tracked",
        ],
        fix: "add `for: 5m` (or the time the condition must hold) to the alert, or waive it with a reason if it must fire at once",
    }
}

impl golive_core::Check for ForDuration {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.alert_count() == 0 {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let mut findings = Vec::new();
        let (mut waiting, mut templated) = (0, 0);
        let mut immediate = Vec::new();
        let mut shortest: Option<(u128, &str)> = None;
        for alert in rules.alerts() {
            let what = alert.describe();
            let Some((_, value)) = alert.field("for") else {
                let mut message = format!(
                    "{what} has no `for:` duration: it fires on the first evaluation where its expression is true"
                );
                if alert.field("keep_firing_for").is_some() {
                    message.push_str(
                        " (`keep_firing_for` only delays resolving; it does not replace `for`)",
                    );
                }
                findings.push(Finding::at(alert.location(), message));
                continue;
            };
            let text = match value.as_text() {
                Some(t) if value.is_scalar() => t.trim(),
                _ if value.is_null() => {
                    findings.push(Finding::at(
                        alert.location(),
                        format!("{what} has an empty `for:`: it fires on the first evaluation where its expression is true"),
                    ));
                    continue;
                }
                _ => {
                    findings.push(Finding::at(
                        value.location(&alert.file.path),
                        format!("{what}: `for:` is not a duration string"),
                    ));
                    continue;
                }
            };
            if rules::is_templated(text) {
                templated += 1;
                continue;
            }
            match parse_duration(text) {
                None => findings.push(Finding::at(
                    value.location(&alert.file.path),
                    format!(
                        "{what}: `for: {text}` is not a Prometheus duration (write e.g. 30s, 5m, 1h30m)"
                    ),
                )),
                Some(0) => immediate.push(Evidence::at(
                    &alert.file.path,
                    alert.location().line,
                    format!("{what} fires at once on purpose (`for: {text}` written explicitly)"),
                )),
                Some(ms) => {
                    waiting += 1;
                    if shortest.is_none_or(|(s, _)| ms < s) {
                        shortest = Some((ms, text));
                    }
                }
            }
        }
        let mut evidence = vec![Evidence::note(match shortest {
            Some((_, text)) => format!(
                "{waiting} alerting rule(s) wait with `for:` before firing (shortest: {text})"
            ),
            None => "no alerting rule waits with `for:` before firing".to_string(),
        })];
        evidence.extend(immediate);
        if templated > 0 {
            evidence.push(Evidence::note(format!(
                "{templated} templated `for:` value(s) not judged"
            )));
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}

/// A Prometheus duration (`model.ParseDuration`): `0`, or units in the order y, w, d, h, m, s,
/// ms, each at most once, each with an integer. Returns milliseconds; None when invalid.
fn parse_duration(text: &str) -> Option<u128> {
    const UNITS: [(&str, u128); 7] = [
        ("y", 365 * 24 * 3_600_000),
        ("w", 7 * 24 * 3_600_000),
        ("d", 24 * 3_600_000),
        ("h", 3_600_000),
        ("ms", 1),
        ("m", 60_000),
        ("s", 1_000),
    ];
    // The order units must appear in (ms is last even though it is matched before m).
    const ORDER: [&str; 7] = ["y", "w", "d", "h", "m", "s", "ms"];
    if text == "0" {
        return Some(0);
    }
    if text.is_empty() {
        return None;
    }
    let mut rest = text;
    let mut total: u128 = 0;
    let mut last: Option<usize> = None;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 20 {
            return None;
        }
        let n: u128 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, mult) = UNITS.iter().find(|(u, _)| rest.starts_with(u))?;
        let index = ORDER.iter().position(|u| u == unit)?;
        if last.is_some_and(|l| index <= l) {
            return None;
        }
        last = Some(index);
        rest = &rest[unit.len()..];
        total = total.checked_add(n.checked_mul(*mult)?)?;
    }
    // Prometheus stores durations as int64 nanoseconds.
    (total <= (i64::MAX as u128) / 1_000_000).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn parses_prometheus_durations() {
        assert_eq!(parse_duration("5m"), Some(300_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("1d2h3m4s5ms"), Some(93_784_005));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("0s"), Some(0));
        assert_eq!(parse_duration("250ms"), Some(250));
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        for bad in [
            "",
            "5",
            "1.5m",
            "5 m",
            "m",
            "5min",
            "30m1h",
            "1m1m",
            "-5m",
            "1h 30m",
            "P5M",
            "99999999999999999999y",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
