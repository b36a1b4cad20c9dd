//! GPU rendering with wgpu: a device context, one long-lived renderer per primitive
//! (circles, meshes, text), offscreen targets with PNG readback, and cached layers.
//!
//! Every renderer follows the same shape: `prepare(&Upload, batches)` uploads the
//! frame's data, `render_batch(&mut RenderPass, index)` records one batch's draws into a
//! pass the caller owns (so that the batches of all renderers interleave in a scene's
//! layer order), and a window surface and an offscreen PNG target share one draw path.
//!
//! # Colour
//!
//! Colours are given as 8-bit sRGB ([`Color`]). Shaders decode them to linear light and
//! blend in linear space; targets are `*Srgb` texture formats ([`TARGET_FORMAT`] offscreen),
//! so the hardware encodes back to sRGB on store and the bytes read back for a PNG are the
//! sRGB values that a screen shows. A non-sRGB target still gets the right colours (the
//! shaders encode themselves), but blending then happens in sRGB space.
//!
//! # Coordinates
//!
//! Pixel coordinates have their origin at the top-left of the target, y down. Each batch
//! of primitives belongs to a [`Panel`]: a pixel rectangle that clips it (scissor) and a
//! [`ViewTransform`] (pan/zoom) from data to pixel coordinates.
//!
//! # Frames
//!
//! [`Renderer`] bundles the primitive renderers and draws a [`Scene`]: items sorted by
//! layer (stable), one render pass, one submit. Static content can be drawn once into a
//! [`CachedLayer`] and composited every frame until it is invalidated. Large batches of small
//! circles take a compute path ([`SplatRenderer`]) instead of one quad each, because
//! software rasterisers such as lavapipe pay per primitive.
//!
//! Bad input never panics: non-finite or negative sizes are skipped and counted, empty
//! batches draw nothing, and impossible targets are [`RenderError`]s.

mod batch;
mod circles;
mod color;
mod context;
mod error;
mod layer;
mod meshes;
mod pipeline;
mod scene;
mod splat;
mod target;
mod text;
mod view;

pub use batch::Upload;
pub use circles::{Circle, CircleBatch, CircleRenderer, CircleStats, SizeMode};
pub use color::Color;
pub use context::{AdapterChoice, GpuContext, SurfaceFrame, WindowSurface};
pub use error::RenderError;
pub use layer::{CachedLayer, Compositor};
pub use meshes::{Mesh, MeshBatch, MeshBuilder, MeshRenderer, MeshVertex};
pub use pipeline::SHADER_SOURCES;
pub use scene::{Content, FrameStats, Item, Renderer, Scene};
pub use splat::{SplatMode, SplatRenderer, SPLAT_MAX_RADIUS, SPLAT_MIN_COUNT};
pub use target::{Image, OffscreenTarget};
pub use text::{HAlign, TextBatch, TextExtent, TextRenderer, TextRun, VAlign};
pub use view::{Panel, PixelRect, ViewTransform, ViewUniform};

/// Texture format of offscreen targets and cached layers.
pub const TARGET_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

/// The font bundled into the binary (DejaVu Sans, Bitstream Vera licence; see `assets/fonts`).
#[cfg(not(target_arch = "wasm32"))]
pub const BUNDLED_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Family name of [`BUNDLED_FONT`].
pub const BUNDLED_FONT_FAMILY: &str = "DejaVu Sans";
