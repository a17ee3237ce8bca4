//! Answer packets: a small element tree rendered with escaped text, always UTF-8 with the
//! XML declaration.

use berth_core::Error;

use super::errors;

/// One element of an answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct El {
    /// Element name.
    pub name: String,
    /// Text content (escaped when rendered); ignored when there are children.
    pub text: Option<String>,
    /// Child elements.
    pub children: Vec<El>,
}

impl El {
    /// An empty element.
    pub fn new(name: &str) -> Self {
        El {
            name: name.to_owned(),
            ..El::default()
        }
    }

    /// An element holding text.
    pub fn text(name: &str, text: impl ToString) -> Self {
        El {
            name: name.to_owned(),
            text: Some(text.to_string()),
            children: vec![],
        }
    }

    /// Adds a child.
    pub fn with(mut self, child: El) -> Self {
        self.children.push(child);
        self
    }

    /// Adds a text child.
    pub fn with_text(self, name: &str, text: impl ToString) -> Self {
        self.with(El::text(name, text))
    }

    /// Adds a text child when there is a value.
    pub fn with_opt(self, name: &str, text: Option<impl ToString>) -> Self {
        match text {
            Some(t) => self.with_text(name, t),
            None => self,
        }
    }

    /// Adds children.
    pub fn extend(mut self, children: impl IntoIterator<Item = El>) -> Self {
        self.children.extend(children);
        self
    }

    fn render_into(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        if self.children.is_empty() && self.text.as_deref().is_none_or(str::is_empty) {
            out.push_str("/>");
            return;
        }
        out.push('>');
        if self.children.is_empty() {
            escape_into(self.text.as_deref().unwrap_or(""), out);
        } else {
            for child in &self.children {
                child.render_into(out);
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are dropped rather than sent broken.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

/// The whole answer document for a `packet` element.
pub fn document(packet: &El) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    packet.render_into(&mut out);
    out.push('\n');
    out
}

/// `<result><status>ok</status>…</result>`.
pub fn ok() -> El {
    El::new("result").with_text("status", "ok")
}

/// An error result for Berth's error. A not-found text names only the input field: the
/// object may have been reached by a number or guid naming another owner's object, whose
/// name must not show (R11.2).
pub fn error(e: &Error) -> El {
    if e.code == berth_core::ErrorCode::NotFound {
        let field = e.field.as_deref().unwrap_or("filter");
        return coded(
            errors::code_of(e),
            &format!("object not found: {field} names nothing you can see"),
        );
    }
    coded(errors::code_of(e), &e.message)
}

/// An error result with this code and text.
pub fn coded(code: u32, text: &str) -> El {
    El::new("result")
        .with_text("status", "error")
        .with_text("errcode", code)
        .with_text("errtext", text)
}

/// The system error packet (errors found before any operation ran).
pub fn system_error(code: u32, text: &str) -> String {
    document(
        &El::new("packet").with(
            El::new("system")
                .with_text("status", "error")
                .with_text("errcode", code)
                .with_text("errtext", text),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_texts_name_the_field_not_the_object() {
        let el = error(&Error::not_found("login", "no customer secret-bob"));
        let text = document(&el);
        assert!(text.contains("<errcode>1013</errcode>"));
        assert!(text.contains("login"));
        assert!(!text.contains("secret-bob"));
    }

    #[test]
    fn text_is_escaped_and_empty_elements_close() {
        let el = El::new("a")
            .with_text("b", "<x & \"y\">")
            .with(El::new("c"));
        assert_eq!(
            document(&el),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b>&lt;x &amp; &quot;y&quot;&gt;</b><c/></a>\n"
        );
    }
}
