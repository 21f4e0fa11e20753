//! serde helpers for the two kinds of untrusted input: the server's answers, read tolerantly as
//! the REST gateway writes them (explicit `null` for defaults, 64-bit integers as strings,
//! timestamps as RFC 3339 text or `{seconds, nanos}`), and JavaScript numbers, which are all
//! doubles.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::time::{is_zero_rfc3339, rfc3339};

/// Largest answer read, in bytes: a longer one is an `InvalidResponse` error, and its download
/// is cancelled as soon as it passes the mark.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// A member that is `null` takes its type's default (a missing one does through
/// `#[serde(default)]`).
pub fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A deserializer that reads only JSON objects where serde would also take an array for a
/// struct (its fields by position): a body `{"config": []}` is not a config.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_option(OptionalObject(visitor))
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The visitor of an `Option` of an object: `null` is `None`, anything else must be an object.
struct OptionalObject<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptionalObject<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }
    fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<V::Value, D2::Error> {
        self.0.visit_some(ObjectOnly(d))
    }
}

/// A struct member that must be a JSON object (or `null`/missing, for an `Option`).
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(ObjectOnly(d))
}

/// A whole number from any of serde's number forms, checked against `min..=max`.
fn whole<E: de::Error>(n: f64, min: f64, max: f64, exp: &dyn de::Expected) -> Result<u64, E> {
    if n.fract() == 0.0 && n >= min && n <= max {
        Ok(n as u64)
    } else {
        Err(E::invalid_value(de::Unexpected::Other("a number that is not a whole number in range"), exp))
    }
}

/// A count of the answers (`total_size`): a JSON number or a decimal string, 0 to `u32::MAX`;
/// `null` is 0.
pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    struct Count;
    impl<'de> Visitor<'de> for Count {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number from 0 to 4294967295")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
            whole(v, 0.0, f64::from(u32::MAX), &self).map(|n| n as u32)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
            v.trim().parse::<u32>().map_err(|_| E::invalid_value(de::Unexpected::Other("a string"), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<u32, E> {
            Ok(0)
        }
    }
    d.deserialize_any(Count)
}

/// A 64-bit integer as protobuf's JSON mapping writes it: a number or a decimal string.
fn int64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct Int64;
    impl<'de> Visitor<'de> for Int64 {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a 64-bit integer")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
            whole(v.abs(), 0.0, 9.0e15, &self).map(|n| if v < 0.0 { -(n as i64) } else { n as i64 })
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
            v.trim().parse::<i64>().map_err(|_| E::invalid_value(de::Unexpected::Other("a string"), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
            Ok(0)
        }
    }
    d.deserialize_any(Int64)
}

/// A `google.protobuf.Timestamp` in its object form.
#[derive(Deserialize)]
struct TimestampParts {
    #[serde(default, deserialize_with = "some_int64")]
    seconds: Option<i64>,
    #[serde(default, deserialize_with = "some_int64")]
    nanos: Option<i64>,
}

fn some_int64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    int64(d).map(Some)
}

/// A timestamp as RFC 3339 text: given as text (kept as it is) or as `{seconds, nanos}`
/// (rendered); the zero time, `""`, `{}` and `null` are `None`.
pub fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Timestamp;
    impl<'de> Visitor<'de> for Timestamp {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC 3339 timestamp or {seconds, nanos}")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok((!is_zero_rfc3339(v)).then(|| v.to_owned()))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let parts = TimestampParts::deserialize(de::value::MapAccessDeserializer::new(map))?;
            if parts.seconds.is_none() && parts.nanos.is_none() {
                return Ok(None);
            }
            let nanos = u32::try_from(parts.nanos.unwrap_or(0)).ok();
            match nanos.and_then(|n| rfc3339(parts.seconds.unwrap_or(0), n)) {
                Some(text) => Ok((!is_zero_rfc3339(&text)).then_some(text)),
                None => Err(de::Error::invalid_value(de::Unexpected::Other("a timestamp out of range"), &self)),
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Timestamp)
}

/// An optional whole number from JavaScript, where every number is a double: `3600` and
/// `3600.0` are the same value; fractions, negatives and strings are not counts.
pub fn js_uint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    struct JsUint;
    impl<'de> Visitor<'de> for JsUint {
        type Value = Option<u32>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            u32::try_from(v).map(Some).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u32::try_from(v).map(Some).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            whole(v, 0.0, f64::from(u32::MAX), &self).map(|n| Some(n as u32))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(JsUint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{from_str, json, Value};

    #[derive(Deserialize, Debug, PartialEq, Default)]
    #[serde(default)]
    struct Sample {
        #[serde(deserialize_with = "or_default")]
        name: String,
        #[serde(deserialize_with = "count")]
        total: u32,
        #[serde(deserialize_with = "timestamp")]
        at: Option<String>,
        #[serde(deserialize_with = "js_uint")]
        n: Option<u32>,
    }

    fn sample(v: Value) -> Result<Sample, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn nulls_and_missing_members_are_defaults() {
        assert_eq!(sample(json!({})).unwrap(), Sample::default());
        assert_eq!(sample(json!({"name":null,"total":null,"at":null,"n":null})).unwrap(), Sample::default());
    }

    #[test]
    fn counts_as_numbers_or_strings() {
        for (v, want) in [(json!(4), 4), (json!("4"), 4), (json!(" 7 "), 7), (json!(4.0), 4), (json!(4_294_967_295u64), u32::MAX)] {
            assert_eq!(sample(json!({ "total": v })).unwrap().total, want);
        }
        for v in [json!(-1), json!(1.5), json!(4_294_967_296u64), json!("x"), json!(true), json!([])] {
            assert!(sample(json!({ "total": v })).is_err(), "{v}");
        }
    }

    #[test]
    fn timestamps_in_both_forms() {
        let at = |v: Value| sample(json!({ "at": v })).map(|s| s.at);
        assert_eq!(at(json!("2025-10-07T12:21:00Z")).unwrap().as_deref(), Some("2025-10-07T12:21:00Z"));
        assert_eq!(at(json!("0001-01-01T00:00:00Z")).unwrap(), None);
        assert_eq!(at(json!("")).unwrap(), None);
        assert_eq!(at(json!({})).unwrap(), None);
        assert_eq!(at(json!({"seconds":"1718795518","nanos":823000000})).unwrap().as_deref(), Some("2024-06-19T11:11:58.823Z"));
        assert_eq!(at(json!({"seconds":-62135596800i64})).unwrap(), None);
        for bad in [
            json!(5),
            json!({"seconds":"x"}),
            json!({"seconds":1,"nanos":1_000_000_000}),
            json!({"seconds":1,"nanos":-1}),
            json!({"seconds":99_999_999_999_999i64}),
            json!(true),
        ] {
            assert!(at(bad.clone()).is_err(), "{bad}");
        }
        // The text form of a huge number is not a timestamp either.
        assert!(from_str::<Sample>(r#"{"at":{"seconds":1e400}}"#).is_err());
    }

    #[test]
    fn javascript_numbers_are_whole_or_refused() {
        let n = |v: Value| sample(json!({ "n": v })).map(|s| s.n);
        assert_eq!(n(json!(3600)).unwrap(), Some(3600));
        assert_eq!(n(json!(86400.0)).unwrap(), Some(86400));
        for bad in [json!(60.5), json!(-60), json!("3600"), json!(1e300), json!(true)] {
            assert!(n(bad.clone()).is_err(), "{bad}");
        }
    }
}
