use std::path::Path;

use super::{Color, GpuContext, RenderError, TARGET_FORMAT};

/// An offscreen render target ([`TARGET_FORMAT`]) that can be read back to an [`Image`].
pub struct OffscreenTarget {
    texture: wgpu::Texture,
    view: wgpu::TextureView,
    width: u32,
    height: u32,
}

impl OffscreenTarget {
    /// A `width` x `height` target; errors for an empty size or one beyond the device limit.
    pub fn new(ctx: &GpuContext, width: u32, height: u32) -> Result<Self, RenderError> {
        let (texture, view) =
            drawable_texture(ctx, width, height, "nasviz offscreen target", TARGET_FORMAT)?;
        Ok(OffscreenTarget {
            texture,
            view,
            width,
            height,
        })
    }

    /// The view to draw into.
    pub fn view(&self) -> &wgpu::TextureView {
        &self.view
    }

    /// The texture.
    pub fn texture(&self) -> &wgpu::Texture {
        &self.texture
    }

    /// `(width, height)` in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The texture format ([`TARGET_FORMAT`]).
    pub fn format(&self) -> wgpu::TextureFormat {
        TARGET_FORMAT
    }

    /// Clears the target to `color` (submitted at once).
    pub fn clear(&self, ctx: &GpuContext, color: Color) {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("nasviz clear"),
            });
        {
            let _pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("nasviz clear pass"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &self.view,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(color.to_wgpu_for(TARGET_FORMAT)),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
        }
        ctx.queue.submit([encoder.finish()]);
    }

    /// Copies the target back to the CPU as tightly packed sRGB RGBA8 (row padding removed).
    pub fn read(&self, ctx: &GpuContext) -> Result<Image, RenderError> {
        read_texture(ctx, &self.texture, self.width, self.height, TARGET_FORMAT)
    }
}

/// A 2-D texture of `format` to draw into, sample and read back, with its
/// view (labelled `label` and `"{label} view"`); errors for an empty size
/// or one beyond the device limit.
pub(crate) fn drawable_texture(
    ctx: &GpuContext,
    width: u32,
    height: u32,
    label: &str,
    format: wgpu::TextureFormat,
) -> Result<(wgpu::Texture, wgpu::TextureView), RenderError> {
    if width == 0 || height == 0 {
        return Err(RenderError::ZeroSize { width, height });
    }
    let max = ctx.max_texture_dimension();
    if width > max || height > max {
        return Err(RenderError::TargetTooLarge { width, height, max });
    }
    let texture = ctx.device.create_texture(&wgpu::TextureDescriptor {
        label: Some(label),
        size: wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT
            | wgpu::TextureUsages::TEXTURE_BINDING
            | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    let view = texture.create_view(&wgpu::TextureViewDescriptor {
        label: Some(&format!("{label} view")),
        ..Default::default()
    });
    Ok((texture, view))
}

/// Reads an RGBA8 or BGRA8 texture back as RGBA8, removing the 256-byte row padding of the
/// copy.
pub(crate) fn read_texture(
    ctx: &GpuContext,
    texture: &wgpu::Texture,
    width: u32,
    height: u32,
    format: wgpu::TextureFormat,
) -> Result<Image, RenderError> {
    let bgra = matches!(
        format,
        wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
    );
    if !bgra && format.remove_srgb_suffix() != wgpu::TextureFormat::Rgba8Unorm {
        return Err(RenderError::Readback(format!(
            "reading back {format:?} is not supported (RGBA8 or BGRA8 only)"
        )));
    }
    let unpadded = width as u64 * 4;
    let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as u64;
    let padded = unpadded.div_ceil(align) * align;
    let size = padded * height as u64;
    let max = ctx.device.limits().max_buffer_size;
    if size > max {
        return Err(RenderError::BufferTooLarge {
            what: "readback",
            bytes: size,
            max,
        });
    }
    let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("nasviz readback"),
        size,
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("nasviz readback copy"),
        });
    encoder.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded as u32),
                rows_per_image: Some(height),
            },
        },
        wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
    );
    let index = ctx.queue.submit([encoder.finish()]);
    let (tx, rx) = std::sync::mpsc::channel();
    buffer.map_async(wgpu::MapMode::Read, .., move |r| {
        let _ = tx.send(r);
    });
    ctx.device.poll(wgpu::PollType::Wait {
        submission_index: Some(index),
        timeout: None,
    })?;
    match rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(RenderError::Readback(e.to_string())),
        Err(e) => return Err(RenderError::Readback(e.to_string())),
    }
    ctx.check_errors()?;
    let mut pixels = Vec::with_capacity((unpadded * height as u64) as usize);
    {
        let view = buffer
            .get_mapped_range(..)
            .map_err(|e| RenderError::Readback(e.to_string()))?;
        for row in view.chunks(padded as usize).take(height as usize) {
            pixels.extend_from_slice(&row[..unpadded as usize]);
        }
    }
    buffer.unmap();
    if bgra {
        for p in pixels.chunks_exact_mut(4) {
            p.swap(0, 2);
        }
    }
    Ok(Image {
        width,
        height,
        pixels,
    })
}

/// Tightly packed sRGB RGBA8 pixels, row-major from the top-left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub pixels: Vec<u8>,
}

impl Image {
    /// The pixel at `(x, y)` as `[r, g, b, a]`, or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = ((y * self.width + x) * 4) as usize;
        let p = self.pixels.get(i..i + 4)?;
        Some([p[0], p[1], p[2], p[3]])
    }

    /// Encodes as an sRGB PNG.
    pub fn encode_png(&self) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height);
            enc.set_color(png::ColorType::Rgba);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
            enc.set_compression(png::Compression::Fast);
            let mut writer = enc.write_header()?;
            writer.write_image_data(&self.pixels)?;
            writer.finish()?;
        }
        Ok(out)
    }

    /// Writes an sRGB PNG to `path`.
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<(), RenderError> {
        let bytes = self.encode_png()?;
        std::fs::write(path, bytes)?;
        Ok(())
    }

    /// Decodes an RGBA8 or RGB8 PNG (as written by [`Image::save_png`]).
    pub fn load_png(path: impl AsRef<Path>) -> Result<Self, RenderError> {
        let file = std::io::BufReader::new(std::fs::File::open(path)?);
        let mut decoder = png::Decoder::new(file);
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder
            .read_info()
            .map_err(|e| RenderError::Readback(format!("PNG decode: {e}")))?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| RenderError::Readback("PNG too large".into()))?;
        let mut buf = vec![0; size];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| RenderError::Readback(format!("PNG decode: {e}")))?;
        buf.truncate(info.buffer_size());
        let pixels = match info.color_type {
            png::ColorType::Rgba => buf,
            png::ColorType::Rgb => buf
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            other => {
                return Err(RenderError::Readback(format!(
                    "PNG colour type {other:?} not supported"
                )))
            }
        };
        Ok(Image {
            width: info.width,
            height: info.height,
            pixels,
        })
    }
}
