//! The protobuf codec of generated gRPC code: tonic-prost's, except that a message nested
//! deeper than [`MAX_NESTING`](crate::encoding::MAX_NESTING) is answered as over HTTP, a
//! `400 CODEC` error (`INVALID_ARGUMENT` with `ErrorInfo`) naming the limit, instead of
//! tonic-prost's `INTERNAL`.

use std::marker::PhantomData;

use prost::Message;
use tonic::Status;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic_prost::{ProstDecoder, ProstEncoder};

use crate::encoding::nesting::too_deep;

/// The codec kratos-build points tonic's `codec_path` at (so crates using the generated code
/// need no `tonic-prost` dependency of their own).
#[derive(Debug, Clone)]
pub struct ProstCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for ProstCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for ProstCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = NestingDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::default()
    }

    fn decoder(&mut self) -> Self::Decoder {
        NestingDecoder(ProstDecoder::default())
    }
}

/// tonic-prost's decoder with the nesting limit's own error.
#[derive(Debug)]
pub struct NestingDecoder<U>(ProstDecoder<U>);

impl<U: Message + Default> Decoder for NestingDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        self.0.decode(buf).map_err(|status| {
            // tonic-prost keeps prost's text; its recursion error is the only one about depth.
            if status.message().contains("recursion limit reached") {
                too_deep("gRPC message").to_status()
            } else {
                status
            }
        })
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.0.buffer_settings()
    }
}
