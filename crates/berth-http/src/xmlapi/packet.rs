//! Request packets: XML parsed into a small tree of elements, with the limits that keep a
//! hostile packet from costing more than a normal one. No DTD is accepted (so no entity
//! can be declared, expanded or fetched), only the five predefined entities and character
//! references are understood, nesting is bounded, and so is the number of elements.

use quick_xml::Reader;
use quick_xml::events::Event;

/// Deepest nesting accepted (`packet` is depth 1; real packets stay under 10).
pub const MAX_DEPTH: usize = 32;

/// Most elements accepted in one packet.
pub const MAX_ELEMENTS: usize = 20_000;

/// One element: its name, its text (concatenated, trimmed) and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Node {
    /// Element name, literal (`gen_info`, `gen-info`).
    pub name: String,
    /// Text content with entities resolved, trimmed.
    pub text: String,
    /// Attributes, values unescaped, in order.
    pub attributes: Vec<(String, String)>,
    /// Child elements, in order.
    pub children: Vec<Node>,
}

impl Node {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// The value of attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether a child named `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.child(name).is_some()
    }
}

/// Why a packet could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

fn fail(message: impl Into<String>) -> ParseError {
    ParseError(message.into())
}

/// Parses a packet. The document must have exactly one root element; anything but
/// elements, text, CDATA, comments, processing instructions and the XML declaration is
/// refused (a `<!DOCTYPE>` in particular).
pub fn parse(bytes: &[u8]) -> Result<Node, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|_| fail("the packet is not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            fail(format!(
                "malformed XML at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(fail("the packet has more than one root element"));
            }
            Event::Start(start) => {
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(fail(format!(
                        "the packet has more than {MAX_ELEMENTS} elements"
                    )));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(format!("elements are nested deeper than {MAX_DEPTH}")));
                }
                stack.push(element(&start)?);
            }
            Event::Empty(start) => {
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(fail(format!(
                        "the packet has more than {MAX_ELEMENTS} elements"
                    )));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(fail(format!("elements are nested deeper than {MAX_DEPTH}")));
                }
                let node = element(&start)?;
                attach(&mut stack, &mut root, node);
            }
            Event::End(_) => {
                let mut node = stack.pop().ok_or_else(|| fail("unexpected closing tag"))?;
                node.text = node.text.trim().to_owned();
                attach(&mut stack, &mut root, node);
            }
            Event::Text(t) => {
                let value = t
                    .unescape()
                    .map_err(|e| fail(format!("bad text or unknown entity: {e}")))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&value),
                    None if value.trim().is_empty() => {}
                    None => return Err(fail("text outside the root element")),
                }
            }
            Event::CData(c) => {
                let value = std::str::from_utf8(&c)
                    .map_err(|_| fail("CDATA is not UTF-8"))?
                    .to_owned();
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&value),
                    None => return Err(fail("CDATA outside the root element")),
                }
            }
            Event::DocType(_) => {
                return Err(fail("document type declarations (DTDs) are not accepted"));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(fail("the packet ends before its elements are closed"));
    }
    root.ok_or_else(|| fail("the packet is empty"))
}

fn element(start: &quick_xml::events::BytesStart<'_>) -> Result<Node, ParseError> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| fail(format!("malformed attribute: {e}")))?;
        let value = attribute
            .unescape_value()
            .map_err(|e| fail(format!("bad attribute value or unknown entity: {e}")))?;
        attributes.push((name_of(attribute.key.as_ref())?, value.into_owned()));
    }
    Ok(Node {
        name: name_of(start.name().as_ref())?,
        attributes,
        ..Node::default()
    })
}

fn name_of(raw: &[u8]) -> Result<String, ParseError> {
    std::str::from_utf8(raw)
        .map(str::to_owned)
        .map_err(|_| fail("an element name is not UTF-8"))
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_elements_text_and_entities() {
        let node = parse(b"<?xml version=\"1.0\"?><packet><a><b> x &amp; y </b><c/></a></packet>")
            .unwrap();
        assert_eq!(node.name, "packet");
        let a = node.child("a").unwrap();
        assert_eq!(a.text_of("b"), Some("x & y"));
        assert!(a.has("c"));
    }

    #[test]
    fn doctype_and_entities_are_refused() {
        let bomb = b"<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"aaaa\">]><p>&a;</p>";
        assert!(parse(bomb).is_err());
        assert!(parse(b"<p>&a;</p>").is_err());
    }

    #[test]
    fn depth_and_shape_are_bounded() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(deep.as_bytes()).is_err());
        assert!(parse(b"<a></b>").is_err());
        assert!(parse(b"<a>").is_err());
        assert!(parse(b"<a/><b/>").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"\xff\xfe").is_err());
        assert!(parse(b"just text").is_err());
    }

    fn depth(node: &Node) -> usize {
        1 + node.children.iter().map(depth).max().unwrap_or(0)
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn tag_soup_parses_within_the_limits(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<a>", "</a>", "<b/>", "text", "&amp;", "&bogus;", "<![CDATA[x]]>",
                    "<!--c-->", "<?pi x?>", "<a x=\"1\">", "<!DOCTYPE a>", "<", ">", "&#0;",
                ]),
                0..80,
            )
        ) {
            let text = parts.concat();
            if let Ok(node) = parse(text.as_bytes()) {
                proptest::prop_assert!(depth(&node) <= MAX_DEPTH);
            }
        }
    }
}
