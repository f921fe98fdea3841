//! The type-erased request or reply every middleware sees.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use prost_reflect::{DynamicMessage, MessageDescriptor, ReflectMessage};

use crate::errors::Error;

/// A request or reply message, type-erased.
///
/// Messages the transports pass in from generated code are *reflective*: besides downcasting,
/// a middleware can read them as a [`DynamicMessage`] (descriptor included), which is how
/// [`validate`](super) checks `buf.validate` rules without knowing the type.
pub struct Message {
    value: Box<dyn Any + Send>,
    reflect: Option<&'static dyn Reflect>,
}

/// How a reflective [`Message`] reaches its descriptor and dynamic form without knowing its type.
trait Reflect: Sync {
    fn descriptor(&self, value: &(dyn Any + Send)) -> Option<MessageDescriptor>;
    fn to_dynamic(&self, value: &(dyn Any + Send)) -> Option<Result<DynamicMessage, Error>>;
}

/// [`Reflect`] for the message type `T`: no data, so one `&'static` serves every message.
struct Reflector<T>(PhantomData<fn() -> T>);

impl<T: ReflectMessage + Any> Reflect for Reflector<T> {
    fn descriptor(&self, value: &(dyn Any + Send)) -> Option<MessageDescriptor> {
        value.downcast_ref::<T>().map(ReflectMessage::descriptor)
    }

    fn to_dynamic(&self, value: &(dyn Any + Send)) -> Option<Result<DynamicMessage, Error>> {
        value
            .downcast_ref::<T>()
            .map(crate::encoding::nesting::to_dynamic)
    }
}

impl Message {
    /// Wraps a message.
    pub fn new<T: Any + Send>(message: T) -> Self {
        Self {
            value: Box::new(message),
            reflect: None,
        }
    }

    /// Wraps a protobuf message that middleware may also read through reflection
    /// ([`descriptor`](Self::descriptor), [`to_dynamic`](Self::to_dynamic)).
    pub fn reflective<T: ReflectMessage + Any + Send>(message: T) -> Self {
        Self {
            value: Box::new(message),
            reflect: Some(&Reflector::<T>(PhantomData)),
        }
    }

    /// The message's descriptor, if it was wrapped with [`reflective`](Self::reflective)
    /// (cheap: nothing is copied).
    pub fn descriptor(&self) -> Option<MessageDescriptor> {
        self.reflect
            .and_then(|reflect| reflect.descriptor(self.value.as_ref()))
    }

    /// A copy of the message as a [`DynamicMessage`], if it was wrapped with
    /// [`reflective`](Self::reflective) and can be copied (it is nested no deeper than
    /// [`MAX_NESTING`](crate::encoding::MAX_NESTING)).
    pub fn to_dynamic(&self) -> Option<DynamicMessage> {
        self.try_to_dynamic().and_then(Result::ok)
    }

    /// [`to_dynamic`](Self::to_dynamic), with the reason a reflective message could not be
    /// copied.
    pub(crate) fn try_to_dynamic(&self) -> Option<Result<DynamicMessage, Error>> {
        self.reflect
            .and_then(|reflect| reflect.to_dynamic(self.value.as_ref()))
    }

    /// The type of the message inside (not of the box holding it).
    #[cfg(feature = "validate")]
    pub(crate) fn value_type(&self) -> std::any::TypeId {
        Any::type_id(self.value.as_ref())
    }

    /// The message, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }

    /// The message, mutably, if it is a `T`.
    pub fn downcast_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.value.downcast_mut()
    }

    /// Takes the message out, or gives it back if it is not a `T`.
    pub fn downcast<T: Any>(self) -> Result<T, Self> {
        let reflect = self.reflect;
        self.value
            .downcast()
            .map(|value| *value)
            .map_err(|value| Self { value, reflect })
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Message { .. }")
    }
}
