//! What the primitive renderers share: the frame they upload for
//! ([`Upload`]) and the GPU buffers that grow with what a frame uploads.

/// Where a frame's data is uploaded and for what target: the device, its
/// queue and the target's size in pixels. Every renderer's `prepare`
/// takes one.
#[derive(Clone, Copy)]
pub struct Upload<'a> {
    /// The device the renderer's buffers live on.
    pub device: &'a wgpu::Device,
    /// The queue the data is written through.
    pub queue: &'a wgpu::Queue,
    /// `(width, height)` of the target the frame is drawn into.
    pub target_size: (u32, u32),
}

/// A GPU buffer that grows to hold what a frame uploads: to the next
/// power of two of the bytes asked for, at most the device's limit.
pub(crate) struct GrowBuffer {
    label: &'static str,
    usage: wgpu::BufferUsages,
    buffer: Option<wgpu::Buffer>,
    capacity: u64,
}

impl GrowBuffer {
    /// No buffer yet; `usage` is added to `COPY_DST`.
    pub(crate) fn new(label: &'static str, usage: wgpu::BufferUsages) -> Self {
        GrowBuffer {
            label,
            usage: usage | wgpu::BufferUsages::COPY_DST,
            buffer: None,
            capacity: 0,
        }
    }

    /// Makes room for `bytes` (at most `max`, the device's buffer limit,
    /// which the caller has checked `bytes` against).
    pub(crate) fn reserve(&mut self, device: &wgpu::Device, bytes: u64, max: u64) {
        if bytes > self.capacity {
            let cap = bytes.next_power_of_two().min(max).max(bytes);
            self.buffer = Some(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(self.label),
                size: cap,
                usage: self.usage,
                mapped_at_creation: false,
            }));
            self.capacity = cap;
        }
    }

    /// The buffer, once one was made.
    pub(crate) fn get(&self) -> Option<&wgpu::Buffer> {
        self.buffer.as_ref()
    }
}
