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
    }
}
