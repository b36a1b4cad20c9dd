use thiserror::Error;

/// Errors from the renderer. Nothing here is a panic: bad sizes, missing adapters and
/// device failures come back as values.
#[derive(Debug, Error)]
pub enum RenderError {
    /// No adapter matched the request (no GPU and no software renderer installed).
    #[error(
        "no GPU adapter found (tried: {tried}); install a Vulkan driver such as Mesa lavapipe"
    )]
    NoAdapter {
        /// The backends that were tried.
        tried: String,
    },
    /// The adapter refused to create a device.
    #[error("could not create a device: {0}")]
    RequestDevice(#[from] wgpu::RequestDeviceError),
    /// A target of zero width or height was requested.
    #[error("target size {width}x{height} is empty")]
    ZeroSize {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
    },
    /// A target larger than the device's maximum texture dimension was requested.
    #[error("target size {width}x{height} exceeds the device limit of {max} pixels per side")]
    TargetTooLarge {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
        /// The device's `max_texture_dimension_2d`.
        max: u32,
    },
    /// A buffer larger than the device allows would be needed.
    #[error("{what} needs {bytes} bytes, more than the device's limit of {max}")]
    BufferTooLarge {
        /// What the buffer holds.
        what: &'static str,
        /// Bytes needed.
        bytes: u64,
        /// The device limit.
        max: u64,
    },
    /// The device reported a validation or out-of-memory error.
    #[error("GPU error: {0}")]
    Gpu(String),
    /// Waiting for the device failed.
    #[error("waiting for the GPU failed: {0}")]
    Poll(#[from] wgpu::PollError),
    /// Mapping a readback buffer failed.
    #[error("reading back from the GPU failed: {0}")]
    Readback(String),
    /// A cached layer does not match the target it is composited onto.
    #[error("layer is {layer_w}x{layer_h} but the target is {target_w}x{target_h}")]
    LayerSizeMismatch {
        /// Layer width.
        layer_w: u32,
        /// Layer height.
        layer_h: u32,
        /// Target width.
        target_w: u32,
        /// Target height.
        target_h: u32,
    },
    /// A cached layer was made for a compositor of another texture format.
    #[error("layer format {layer:?} does not match the target format {target:?}")]
    LayerFormatMismatch {
        /// The layer's format.
        layer: wgpu::TextureFormat,
        /// The target's format.
        target: wgpu::TextureFormat,
    },
    /// Text preparation failed (glyph atlas full or similar).
    #[error("text: {0}")]
    Text(String),
    /// Encoding or writing a PNG failed.
    #[error("PNG: {0}")]
    Png(#[from] png::EncodingError),
    /// File I/O failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// What a buffer of circle instances is called in [`RenderError::BufferTooLarge`].
pub(crate) const CIRCLE_INSTANCES: &str = "circle instances";
/// What the splat path's buffer of circles is called there.
pub(crate) const SPLAT_CIRCLES: &str = "splat circles";

impl RenderError {
    /// Whether a buffer of circles was larger than the device allows:
    /// fewer circles (a density picture) would fit, where a buffer that
    /// grows with the target's size or a mesh would not.
    pub fn is_too_many_circles(&self) -> bool {
        matches!(self, RenderError::BufferTooLarge { what, .. }
            if *what == CIRCLE_INSTANCES || *what == SPLAT_CIRCLES)
    }
}
