//! JavaScript values as `@workos-inc/node` 7.x builds them.
//!
//! The SDK's deserializers copy members from the wire object (`firstName: user.first_name`), so a
//! member the API did not send becomes a key whose value is `undefined`, and a `null` stays `null`.
//! JSON has no `undefined`, so results are built as [`Js`] trees: serde structs serialize into them
//! with [`to_js`], where `None` means `undefined`, and they cross into JavaScript as real objects.
//! The same trees give request bodies (`JSON.stringify` drops `undefined`) and queries.

use std::fmt;

use napi::bindgen_prelude::{Array, Null, Object, ToNapiValue, TypeName, Undefined};
use napi::{sys, Env, ValueType};
use serde::ser::{self, Impossible, SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Number, Value};

/// How deep a result may nest before conversion gives up (serde_json's own limit).
const MAX_DEPTH: u32 = 128;

/// A JavaScript value: JSON plus `undefined`; object members keep their order.
#[derive(Debug, Clone, PartialEq)]
pub enum Js {
  Undefined,
  Null,
  Bool(bool),
  Number(Number),
  String(String),
  Array(Vec<Js>),
  Object(Vec<(String, Js)>),
}

impl Js {
  /// An empty object, `{}`.
  pub fn object() -> Js {
    Js::Object(Vec::new())
  }

  /// The member `key` of an object; `Undefined` when absent or when `self` is not an object.
  pub fn get(&self, key: &str) -> &Js {
    match self {
      Js::Object(members) => members
        .iter()
        .find(|(k, _)| k == key)
        .map_or(&Js::Undefined, |(_, v)| v),
      _ => &Js::Undefined,
    }
  }

  /// `obj[key] = value`: replaces the member in place, or appends it (insertion order, as in JS).
  /// `undefined` becomes `{}` first, as `Object.assign({}, undefined)` does.
  pub fn set(&mut self, key: &str, value: Js) {
    if !matches!(self, Js::Object(_)) {
      *self = Js::object();
    }
    if let Js::Object(members) = self {
      match members.iter_mut().find(|(k, _)| k == key) {
        Some((_, slot)) => *slot = value,
        None => members.push((key.to_string(), value)),
      }
    }
  }

  /// JavaScript truthiness.
  pub fn is_truthy(&self) -> bool {
    match self {
      Js::Undefined | Js::Null => false,
      Js::Bool(b) => *b,
      Js::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
      Js::String(s) => !s.is_empty(),
      Js::Array(_) | Js::Object(_) => true,
    }
  }

  /// `String(value)`, as template literals, `URLSearchParams` and `Array.prototype.join` write it.
  pub fn to_js_string(&self) -> String {
    match self {
      Js::Undefined => "undefined".into(),
      Js::Null => "null".into(),
      Js::Bool(b) => b.to_string(),
      Js::Number(n) => number_to_string(n),
      Js::String(s) => s.clone(),
      // `[a, null, b].join(',')` writes null and undefined elements as empty strings.
      Js::Array(items) => items
        .iter()
        .map(|item| match item {
          Js::Undefined | Js::Null => String::new(),
          other => other.to_js_string(),
        })
        .collect::<Vec<_>>()
        .join(","),
      Js::Object(_) => "[object Object]".into(),
    }
  }

  /// The JSON `JSON.stringify` would write, as a value: members that are `undefined` are left
  /// out, `undefined` array elements become `null`; `None` for a top-level `undefined`.
  pub fn to_json(&self) -> Option<Value> {
    Some(match self {
      Js::Undefined => return None,
      Js::Null => Value::Null,
      Js::Bool(b) => Value::Bool(*b),
      Js::Number(n) => Value::Number(n.clone()),
      Js::String(s) => Value::String(s.clone()),
      Js::Array(items) => Value::Array(items.iter().map(|i| i.to_json().unwrap_or(Value::Null)).collect()),
      Js::Object(members) => Value::Object(
        members
          .iter()
          .filter_map(|(k, v)| v.to_json().map(|v| (k.clone(), v)))
          .collect::<Map<_, _>>(),
      ),
    })
  }
}

/// So a `Js` can sit inside a result struct: `undefined` serializes as `None`.
impl Serialize for Js {
  fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
    match self {
      Js::Undefined => serializer.serialize_none(),
      Js::Null => serializer.serialize_unit(),
      Js::Bool(b) => serializer.serialize_bool(*b),
      Js::Number(n) => n.serialize(serializer),
      Js::String(s) => serializer.serialize_str(s),
      Js::Array(items) => {
        let mut seq = serializer.serialize_seq(Some(items.len()))?;
        for item in items {
          seq.serialize_element(item)?;
        }
        seq.end()
      }
      Js::Object(members) => {
        let mut map = serializer.serialize_map(Some(members.len()))?;
        for (key, member) in members {
          map.serialize_entry(key, member)?;
        }
        map.end()
      }
    }
  }
}

impl From<Value> for Js {
  fn from(value: Value) -> Self {
    match value {
      Value::Null => Js::Null,
      Value::Bool(b) => Js::Bool(b),
      Value::Number(n) => Js::Number(n),
      Value::String(s) => Js::String(s),
      Value::Array(items) => Js::Array(items.into_iter().map(Js::from).collect()),
      Value::Object(members) => Js::Object(members.into_iter().map(|(k, v)| (k, Js::from(v))).collect()),
    }
  }
}

/// `Number.prototype.toString()` for the numbers JSON can carry.
fn number_to_string(n: &Number) -> String {
  if n.is_i64() || n.is_u64() {
    return n.to_string();
  }
  let f = n.as_f64().unwrap_or(f64::NAN);
  if f == 0.0 {
    "0".into()
  } else if f.abs() >= 1e21 || f.abs() < 1e-6 {
    // JS writes `1e+21` and `1.5e-7`; Rust's `{:e}` omits the `+`.
    let s = format!("{f:e}");
    match s.split_once('e') {
      Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
      _ => s,
    }
  } else {
    f.to_string()
  }
}

// ------------------------------------------------------------------ members as the SDK reads them

/// A member the SDK copies from the wire object: absent becomes `undefined` (the key is still
/// set), present is passed through (`null` included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maybe(pub Option<Value>);

impl Maybe {
  pub fn is_absent(&self) -> bool {
    self.0.is_none()
  }

  /// JavaScript falsiness: absent, `null`, `false`, `0`, `""`.
  pub fn is_falsy(&self) -> bool {
    !self.to_js().is_truthy()
  }

  pub fn to_js(&self) -> Js {
    self.0.clone().map_or(Js::Undefined, Js::from)
  }
}

impl Serialize for Maybe {
  fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
    match &self.0 {
      Some(value) => value.serialize(serializer),
      None => serializer.serialize_none(),
    }
  }
}

impl<'de> Deserialize<'de> for Maybe {
  fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
    Value::deserialize(deserializer).map(|v| Maybe(Some(v)))
  }
}

/// A member read as `wire ?? {}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct OrEmptyObject(pub Value);

impl Default for OrEmptyObject {
  fn default() -> Self {
    OrEmptyObject(Value::Object(Map::new()))
  }
}

impl<'de> Deserialize<'de> for OrEmptyObject {
  fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
    Value::deserialize(deserializer).map(|v| {
      if v.is_null() {
        OrEmptyObject::default()
      } else {
        OrEmptyObject(v)
      }
    })
  }
}

/// The result of a method the SDK declares `Promise<void>`: `undefined`.
pub struct Void;

impl Serialize for Void {
  fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_none()
  }
}

// ------------------------------------------------------------------ serde → Js

/// Serializes `value` into a [`Js`] tree; `None` fields become `undefined`.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<Js, JsError> {
  value.serialize(JsSerializer)
}

/// Serialization into [`Js`] failed (a map key that is not a string, an enum variant with data).
#[derive(Debug)]
pub struct JsError(String);

impl fmt::Display for JsError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&self.0)
  }
}

impl std::error::Error for JsError {}

impl ser::Error for JsError {
  fn custom<T: fmt::Display>(msg: T) -> Self {
    JsError(msg.to_string())
  }
}

struct JsSerializer;

fn unsupported(what: &str) -> JsError {
  JsError(format!("{what} cannot be represented as a JavaScript result"))
}

impl Serializer for JsSerializer {
  type Ok = Js;
  type Error = JsError;
  type SerializeSeq = ArrayBuilder;
  type SerializeTuple = ArrayBuilder;
  type SerializeTupleStruct = ArrayBuilder;
  type SerializeTupleVariant = Impossible<Js, JsError>;
  type SerializeMap = ObjectBuilder;
  type SerializeStruct = ObjectBuilder;
  type SerializeStructVariant = Impossible<Js, JsError>;

  fn serialize_bool(self, v: bool) -> Result<Js, JsError> {
    Ok(Js::Bool(v))
  }
  fn serialize_i8(self, v: i8) -> Result<Js, JsError> {
    self.serialize_i64(v.into())
  }
  fn serialize_i16(self, v: i16) -> Result<Js, JsError> {
    self.serialize_i64(v.into())
  }
  fn serialize_i32(self, v: i32) -> Result<Js, JsError> {
    self.serialize_i64(v.into())
  }
  fn serialize_i64(self, v: i64) -> Result<Js, JsError> {
    Ok(Js::Number(v.into()))
  }
  fn serialize_u8(self, v: u8) -> Result<Js, JsError> {
    self.serialize_u64(v.into())
  }
  fn serialize_u16(self, v: u16) -> Result<Js, JsError> {
    self.serialize_u64(v.into())
  }
  fn serialize_u32(self, v: u32) -> Result<Js, JsError> {
    self.serialize_u64(v.into())
  }
  fn serialize_u64(self, v: u64) -> Result<Js, JsError> {
    Ok(Js::Number(v.into()))
  }
  fn serialize_f32(self, v: f32) -> Result<Js, JsError> {
    self.serialize_f64(v.into())
  }
  fn serialize_f64(self, v: f64) -> Result<Js, JsError> {
    Ok(Number::from_f64(v).map_or(Js::Null, Js::Number))
  }
  fn serialize_char(self, v: char) -> Result<Js, JsError> {
    Ok(Js::String(v.to_string()))
  }
  fn serialize_str(self, v: &str) -> Result<Js, JsError> {
    Ok(Js::String(v.to_string()))
  }
  fn serialize_bytes(self, v: &[u8]) -> Result<Js, JsError> {
    Ok(Js::Array(v.iter().map(|b| Js::Number((*b).into())).collect()))
  }
  fn serialize_none(self) -> Result<Js, JsError> {
    Ok(Js::Undefined)
  }
  fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Js, JsError> {
    value.serialize(self)
  }
  fn serialize_unit(self) -> Result<Js, JsError> {
    Ok(Js::Null)
  }
  fn serialize_unit_struct(self, _name: &'static str) -> Result<Js, JsError> {
    Ok(Js::Null)
  }
  fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Js, JsError> {
    Ok(Js::String(variant.to_string()))
  }
  fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<Js, JsError> {
    value.serialize(self)
  }
  fn serialize_newtype_variant<T: Serialize + ?Sized>(
    self,
    _name: &'static str,
    _index: u32,
    _variant: &'static str,
    _value: &T,
  ) -> Result<Js, JsError> {
    Err(unsupported("an enum variant with data"))
  }
  fn serialize_seq(self, len: Option<usize>) -> Result<ArrayBuilder, JsError> {
    Ok(ArrayBuilder(Vec::with_capacity(len.unwrap_or(0))))
  }
  fn serialize_tuple(self, len: usize) -> Result<ArrayBuilder, JsError> {
    self.serialize_seq(Some(len))
  }
  fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<ArrayBuilder, JsError> {
    self.serialize_seq(Some(len))
  }
  fn serialize_tuple_variant(
    self,
    _name: &'static str,
    _index: u32,
    _variant: &'static str,
    _len: usize,
  ) -> Result<Self::SerializeTupleVariant, JsError> {
    Err(unsupported("an enum variant with data"))
  }
  fn serialize_map(self, len: Option<usize>) -> Result<ObjectBuilder, JsError> {
    Ok(ObjectBuilder {
      members: Vec::with_capacity(len.unwrap_or(0)),
      key: None,
    })
  }
  fn serialize_struct(self, _name: &'static str, len: usize) -> Result<ObjectBuilder, JsError> {
    self.serialize_map(Some(len))
  }
  fn serialize_struct_variant(
    self,
    _name: &'static str,
    _index: u32,
    _variant: &'static str,
    _len: usize,
  ) -> Result<Self::SerializeStructVariant, JsError> {
    Err(unsupported("an enum variant with data"))
  }
}

struct ArrayBuilder(Vec<Js>);

impl ser::SerializeSeq for ArrayBuilder {
  type Ok = Js;
  type Error = JsError;
  fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsError> {
    self.0.push(to_js(value)?);
    Ok(())
  }
  fn end(self) -> Result<Js, JsError> {
    Ok(Js::Array(self.0))
  }
}

impl ser::SerializeTuple for ArrayBuilder {
  type Ok = Js;
  type Error = JsError;
  fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsError> {
    ser::SerializeSeq::serialize_element(self, value)
  }
  fn end(self) -> Result<Js, JsError> {
    ser::SerializeSeq::end(self)
  }
}

impl ser::SerializeTupleStruct for ArrayBuilder {
  type Ok = Js;
  type Error = JsError;
  fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsError> {
    ser::SerializeSeq::serialize_element(self, value)
  }
  fn end(self) -> Result<Js, JsError> {
    ser::SerializeSeq::end(self)
  }
}

struct ObjectBuilder {
  members: Vec<(String, Js)>,
  key: Option<String>,
}

impl ser::SerializeMap for ObjectBuilder {
  type Ok = Js;
  type Error = JsError;
  fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JsError> {
    self.key = Some(match to_js(key)? {
      Js::String(s) => s,
      Js::Number(n) => n.to_string(),
      _ => return Err(unsupported("a map key that is not a string")),
    });
    Ok(())
  }
  fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsError> {
    let key = self
      .key
      .take()
      .ok_or_else(|| unsupported("a map value without a key"))?;
    self.members.push((key, to_js(value)?));
    Ok(())
  }
  fn end(self) -> Result<Js, JsError> {
    Ok(Js::Object(self.members))
  }
}

impl ser::SerializeStruct for ObjectBuilder {
  type Ok = Js;
  type Error = JsError;
  fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), JsError> {
    self.members.push((key.to_string(), to_js(value)?));
    Ok(())
  }
  fn end(self) -> Result<Js, JsError> {
    Ok(Js::Object(self.members))
  }
}

// ------------------------------------------------------------------ Js → JavaScript

/// One node of a tree being converted, with the depth still allowed below it.
struct Node<'a>(&'a Js, u32);

impl ToNapiValue for Node<'_> {
  unsafe fn to_napi_value(raw: sys::napi_env, Node(value, depth): Self) -> napi::Result<sys::napi_value> {
    let nested = |depth: u32| {
      depth
        .checked_sub(1)
        .ok_or_else(|| napi::Error::from_reason("result nests too deeply"))
    };
    unsafe {
      match value {
        Js::Undefined => Undefined::to_napi_value(raw, ()),
        Js::Null => Null::to_napi_value(raw, Null),
        Js::Bool(b) => bool::to_napi_value(raw, *b),
        Js::Number(n) => f64::to_napi_value(raw, n.as_f64().unwrap_or(f64::NAN)),
        Js::String(s) => <&str>::to_napi_value(raw, s.as_str()),
        Js::Array(items) => {
          let below = nested(depth)?;
          let env = Env::from_raw(raw);
          let mut array: Array = env.create_array(items.len() as u32)?;
          for (index, item) in items.iter().enumerate() {
            array.set(index as u32, Node(item, below))?;
          }
          Array::to_napi_value(raw, array)
        }
        Js::Object(members) => {
          let below = nested(depth)?;
          let env = Env::from_raw(raw);
          let mut object = Object::new(&env)?;
          for (key, member) in members {
            object.set(key, Node(member, below))?;
          }
          Object::to_napi_value(raw, object)
        }
      }
    }
  }
}

impl ToNapiValue for Js {
  unsafe fn to_napi_value(raw: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
    unsafe { Node::to_napi_value(raw, Node(&value, MAX_DEPTH)) }
  }
}

impl TypeName for Js {
  fn type_name() -> &'static str {
    "unknown"
  }

  fn value_type() -> ValueType {
    ValueType::Unknown
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[derive(Serialize, Deserialize, Default)]
  #[serde(default, rename_all(serialize = "camelCase"))]
  struct Sample {
    first_name: Maybe,
    external_id: Value,
    metadata: OrEmptyObject,
    #[serde(skip_serializing_if = "Maybe::is_falsy")]
    roles: Maybe,
  }

  #[test]
  fn absent_members_are_undefined_and_null_stays_null() {
    let sample: Sample = serde_json::from_value(json!({ "external_id": null, "metadata": null })).unwrap();
    assert_eq!(
      to_js(&sample).unwrap(),
      Js::Object(vec![
        ("firstName".into(), Js::Undefined),
        ("externalId".into(), Js::Null),
        ("metadata".into(), Js::object()),
      ])
    );
    let sample: Sample = serde_json::from_value(json!({ "first_name": null, "roles": [] })).unwrap();
    let js = to_js(&sample).unwrap();
    assert_eq!(js.get("firstName"), &Js::Null);
    assert_eq!(js.get("roles"), &Js::Array(vec![]));
  }

  #[test]
  fn json_stringify_drops_undefined_members() {
    let js = Js::Object(vec![
      ("a".into(), Js::Undefined),
      ("b".into(), Js::Array(vec![Js::Undefined, Js::Number(1.into())])),
    ]);
    assert_eq!(js.to_json(), Some(json!({ "b": [null, 1] })));
    assert_eq!(Js::Undefined.to_json(), None);
  }

  #[test]
  fn strings_follow_javascript() {
    let s = |v: Value| Js::from(v).to_js_string();
    assert_eq!(s(json!(5)), "5");
    assert_eq!(s(json!(1.5)), "1.5");
    assert_eq!(s(json!(1e21)), "1e+21");
    assert_eq!(s(json!(null)), "null");
    assert_eq!(s(json!(["a", null, 2])), "a,,2");
    assert_eq!(s(json!({ "a": 1 })), "[object Object]");
  }
}
