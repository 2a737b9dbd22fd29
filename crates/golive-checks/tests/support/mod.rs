//! Test support: values generated at test time so that nothing secret-looking is committed.

/// Expands `{{fake:KIND}}` markers in fixture text. Kinds are defined by [`fake_value`].
pub fn expand(text: &str) -> String {
    if !text.contains("{{fake:") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{fake:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 7..];
        match after.find("}}") {
            Some(end) => {
                out.push_str(&fake_value(&after[..end]));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A deterministic, realistic-looking (but never real) value of a given kind.
pub fn fake_value(kind: &str) -> String {
    panic!("unknown fake value kind `{kind}`")
}
