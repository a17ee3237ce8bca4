//! Fuzzes everything the XML API does to a packet before authentication: parsing (no DTDs,
//! bounded depth and size) and the envelope checks. It must never panic, and whatever it
//! accepts must stay within the limits.

#![no_main]

use berth_http::xmlapi::packet::{MAX_DEPTH, Node};
use berth_http::xmlapi::read_packet;
use libfuzzer_sys::fuzz_target;

fn depth(node: &Node) -> usize {
    1 + node.children.iter().map(depth).max().unwrap_or(0)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(packet) = read_packet(data) {
        assert_eq!(packet.name, "packet");
        assert!(depth(&packet) <= MAX_DEPTH);
    }
    let _ = berth_http::xmlapi::packet::parse(data);
});
