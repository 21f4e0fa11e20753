//! Building text without `core::fmt`: concatenation and decimal integers. Formatting machinery
//! is large in WebAssembly, and the core only ever needs these two.

use crate::prelude::*;

/// The parts, one after the other.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// The byte offset of the first `needle` in `hay` (a plain search: the texts are short, and the
/// two-way searcher of `str::find` is large in WebAssembly).
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    (0..=h.len().checked_sub(n.len())?).find(|&i| h.get(i..i + n.len()) == Some(n))
}

/// Whether `hay` contains `needle`.
pub(crate) fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay` split around the first `needle`.
pub(crate) fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle)?;
    Some((hay.get(..i)?, hay.get(i + needle.len()..)?))
}

/// `hay` with every `needle` (not empty) replaced by `with`.
pub(crate) fn replace(hay: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some((before, after)) = split_once(rest, needle).filter(|_| !needle.is_empty()) {
        out.push_str(before);
        out.push_str(with);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The number of characters of `s` (its bytes that do not continue a UTF-8 sequence).
pub(crate) fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| (b & 0xC0) != 0x80).count()
}

/// Appends `n` in decimal, at least `width` digits (zero-padded).
pub(crate) fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while n > 0 || start == digits.len() {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
    }
    for _ in digits.len() - start..width {
        out.push('0');
    }
    for &d in digits.get(start..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut String, n: u64) {
    push_padded(out, n, 0);
}

/// `n` in decimal.
pub(crate) fn u64_text(n: u64) -> String {
    let mut out = String::new();
    push_u64(&mut out, n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(u64_text(n), n.to_string());
        }
        let mut s = String::new();
        push_padded(&mut s, 7, 3);
        push_padded(&mut s, 1234, 2);
        push_padded(&mut s, 0, 4);
        assert_eq!(s, "007" .to_owned() + "1234" + "0000");
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        for (hay, needle) in [("abc", "b"), ("abc", "abc"), ("abc", "abcd"), ("", ""), ("a - b - c", " - "), ("éé", "é"), ("aaa", "aa")] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} {needle}");
            assert_eq!(split_once(hay, needle), hay.split_once(needle), "{hay} {needle}");
            assert_eq!(replace(hay, needle, "[x]"), if needle.is_empty() { hay.to_owned() } else { hay.replace(needle, "[x]") });
        }
        for s in ["", "abc", "é☃𝄞", "a\u{0}b"] {
            assert_eq!(char_count(s), s.chars().count());
        }
    }
}
