use std::sync::Arc;

use super::RenderError;

/// Which adapters to look for, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdapterChoice {
    /// Backends to try; Vulkan adapters are tried before GL ones.
    pub backends: wgpu::Backends,
    /// Prefer a CPU (software) adapter such as lavapipe, for reproducible pixels.
    pub(crate) prefer_cpu: bool,
}

impl Default for AdapterChoice {
    /// Vulkan then GL, any adapter (a hardware one first); in a page,
    /// WebGPU then WebGL2.
    fn default() -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        let backends = wgpu::Backends::VULKAN | wgpu::Backends::GL;
        #[cfg(target_arch = "wasm32")]
        let backends = wgpu::Backends::BROWSER_WEBGPU | wgpu::Backends::GL;
        AdapterChoice {
            backends,
            prefer_cpu: false,
        }
    }
}

impl AdapterChoice {
    /// Vulkan then GL, preferring a CPU adapter: what the tests and benchmarks use.
    pub fn software_first() -> Self {
        AdapterChoice {
            prefer_cpu: true,
            ..Self::default()
        }
    }

    /// Narrows the backends with `WGPU_BACKEND` when it is set (an empty value enables none).
    pub fn with_env(self) -> Self {
        match wgpu::Backends::from_env() {
            Some(env) => AdapterChoice {
                backends: self.backends & env,
                ..self
            },
            None => self,
        }
    }
}

/// The device shared by every renderer: instance, adapter, device and queue.
///
/// The same context serves a window surface ([`WindowSurface`]) and offscreen targets.
#[derive(Clone)]
pub struct GpuContext {
    /// The wgpu instance (needed to create surfaces).
    pub instance: wgpu::Instance,
    /// The chosen adapter.
    pub adapter: wgpu::Adapter,
    /// The device.
    pub device: wgpu::Device,
    /// The device's queue.
    pub queue: wgpu::Queue,
    errors: Arc<std::sync::Mutex<Vec<String>>>,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.adapter.get_info())
            .finish_non_exhaustive()
    }
}

impl GpuContext {
    /// A headless context (blocking; native builds only, as a page cannot block).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn headless(choice: AdapterChoice) -> Result<Self, RenderError> {
        let instance = Self::new_instance(choice);
        pollster::block_on(Self::with_instance(instance, choice, None))
    }

    /// An instance with the backends of `choice` (display-less; for a window under GL pass
    /// your own instance built with a display handle to [`GpuContext::with_instance`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn new_instance(choice: AdapterChoice) -> wgpu::Instance {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = choice.backends;
        wgpu::Instance::new(desc)
    }

    /// Picks an adapter from `instance` (compatible with `surface` if given) and opens a
    /// device on it.
    pub async fn with_instance(
        instance: wgpu::Instance,
        choice: AdapterChoice,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Result<Self, RenderError> {
        let adapter = Self::pick_adapter(&instance, choice, surface)
            .await
            .ok_or_else(|| RenderError::NoAdapter {
                tried: format!("{:?}", choice.backends),
            })?;
        // Everything the adapter offers: large targets, and storage buffers for the splat path.
        let mut limits = adapter.limits();
        // NASVIZ_GPU_MAX_BUFFER=BYTES: behave as a device with buffers no
        // larger (to check what happens where a GPU's limits are smaller)
        if let Some(max) = std::env::var("NASVIZ_GPU_MAX_BUFFER")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
        {
            limits.max_buffer_size = limits.max_buffer_size.min(max);
            limits.max_storage_buffer_binding_size =
                limits.max_storage_buffer_binding_size.min(max);
        }
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("nasviz device"),
                required_features: wgpu::Features::empty(),
                required_limits: limits,
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await?;
        let errors: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut v) = sink.lock() {
                v.push(e.to_string());
            }
        }));
        Ok(GpuContext {
            instance,
            adapter,
            device,
            queue,
            errors,
        })
    }

    /// A page's one adapter: the browser's WebGPU adapter when the instance
    /// has WebGPU, its WebGL2 context otherwise.
    #[cfg(target_arch = "wasm32")]
    async fn pick_adapter(
        instance: &wgpu::Instance,
        choice: AdapterChoice,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Option<wgpu::Adapter> {
        let _ = choice;
        instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter: false,
                compatible_surface: surface,
                apply_limit_buckets: false,
            })
            .await
            .ok()
    }

    #[cfg(not(target_arch = "wasm32"))]
    async fn pick_adapter(
        instance: &wgpu::Instance,
        choice: AdapterChoice,
        surface: Option<&wgpu::Surface<'_>>,
    ) -> Option<wgpu::Adapter> {
        for backend in [wgpu::Backends::VULKAN, wgpu::Backends::GL] {
            let backends = choice.backends & backend;
            if backends.is_empty() {
                continue;
            }
            let mut adapters: Vec<wgpu::Adapter> = instance
                .enumerate_adapters(backends)
                .await
                .into_iter()
                .filter(|a| surface.is_none_or(|s| a.is_surface_supported(s)))
                .collect();
            let rank = |a: &wgpu::Adapter| {
                let cpu = a.get_info().device_type == wgpu::DeviceType::Cpu;
                // lower is better
                u8::from(cpu != choice.prefer_cpu)
            };
            adapters.sort_by_key(rank);
            if let Some(a) = adapters.into_iter().next() {
                return Some(a);
            }
        }
        None
    }

    /// Adapter name and backend, e.g. `llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)`.
    pub fn adapter_name(&self) -> String {
        let info = self.adapter.get_info();
        format!("{} ({:?})", info.name, info.backend)
    }

    /// The largest width or height a target may have on this device.
    pub fn max_texture_dimension(&self) -> u32 {
        self.device.limits().max_texture_dimension_2d
    }

    /// Blocks until all submitted work is done.
    pub fn wait(&self) -> Result<(), RenderError> {
        self.device.poll(wgpu::PollType::wait_indefinitely())?;
        Ok(())
    }

    /// Takes the device errors reported since the last call (validation, out of memory).
    pub(crate) fn take_errors(&self) -> Vec<String> {
        match self.errors.lock() {
            Ok(mut v) => std::mem::take(&mut *v),
            Err(_) => Vec::new(),
        }
    }

    /// Returns the first device error reported since the last call as a [`RenderError`].
    pub(crate) fn check_errors(&self) -> Result<(), RenderError> {
        let errors = self.take_errors();
        match errors.into_iter().next() {
            Some(e) => Err(RenderError::Gpu(e)),
            None => Ok(()),
        }
    }
}

/// A window surface configured for a [`GpuContext`], handling resize and surface loss.
pub struct WindowSurface {
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    /// The format frames are drawn in: the surface's own when it is sRGB,
    /// else its sRGB view (WebGPU canvases offer only linear formats, and
    /// the renderers write linear colour for an sRGB target to encode).
    view_format: wgpu::TextureFormat,
    /// Whether the surface was configured (not while its size is 0x0).
    configured: bool,
}

/// The outcome of [`WindowSurface::acquire`].
pub enum SurfaceFrame {
    /// A texture to draw into, then `present()`.
    Ready(wgpu::SurfaceTexture),
    /// Nothing to draw this frame (minimised, occluded, timed out, or just reconfigured).
    Skip,
}

impl WindowSurface {
    /// Configures `surface` for `ctx` at `width` x `height`, choosing an sRGB format.
    pub fn new(
        ctx: &GpuContext,
        surface: wgpu::Surface<'static>,
        width: u32,
        height: u32,
    ) -> Result<Self, RenderError> {
        let caps = surface.get_capabilities(&ctx.adapter);
        let format = caps
            .formats
            .iter()
            .copied()
            .find(|f| f.is_srgb())
            .or_else(|| caps.formats.first().copied())
            .ok_or_else(|| RenderError::Gpu("surface supports no format".into()))?;
        let view_format = format.add_srgb_suffix();
        let view_formats = if view_format == format {
            vec![]
        } else {
            vec![view_format]
        };
        let alpha_mode = caps
            .alpha_modes
            .first()
            .copied()
            .unwrap_or(wgpu::CompositeAlphaMode::Auto);
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format,
            width: width.max(1),
            height: height.max(1),
            present_mode: wgpu::PresentMode::AutoVsync,
            alpha_mode,
            view_formats,
            desired_maximum_frame_latency: 2,
            color_space: wgpu::SurfaceColorSpace::Auto,
        };
        let mut s = WindowSurface {
            surface,
            config,
            view_format,
            configured: false,
        };
        if width > 0 && height > 0 {
            s.surface.configure(&ctx.device, &s.config);
            s.configured = true;
        }
        Ok(s)
    }

    /// The format frames are drawn in (pass it to the renderers): the
    /// surface's, or its sRGB view's.
    pub fn format(&self) -> wgpu::TextureFormat {
        self.view_format
    }

    /// A view of a frame's texture in [`WindowSurface::format`].
    pub fn view(&self, frame: &wgpu::SurfaceTexture) -> wgpu::TextureView {
        frame.texture.create_view(&wgpu::TextureViewDescriptor {
            format: Some(self.view_format),
            ..Default::default()
        })
    }

    /// Current size in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.config.width, self.config.height)
    }

    /// Resizes; a 0x0 size (minimised window) is remembered but not configured.
    pub fn resize(&mut self, ctx: &GpuContext, width: u32, height: u32) {
        if width == 0 || height == 0 {
            return;
        }
        let max = ctx.max_texture_dimension();
        self.config.width = width.min(max);
        self.config.height = height.min(max);
        self.surface.configure(&ctx.device, &self.config);
        self.configured = true;
    }

    /// Gets the next frame: Outdated/Suboptimal reconfigure, Lost recreates through `recreate`,
    /// Timeout/Occluded skip the frame.
    pub fn acquire(
        &mut self,
        ctx: &GpuContext,
        recreate: impl FnOnce() -> Option<wgpu::Surface<'static>>,
    ) -> SurfaceFrame {
        if !self.configured {
            return SurfaceFrame::Skip;
        }
        match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(frame) => SurfaceFrame::Ready(frame),
            wgpu::CurrentSurfaceTexture::Suboptimal(frame) => {
                drop(frame);
                self.surface.configure(&ctx.device, &self.config);
                SurfaceFrame::Skip
            }
            wgpu::CurrentSurfaceTexture::Outdated => {
                self.surface.configure(&ctx.device, &self.config);
                SurfaceFrame::Skip
            }
            wgpu::CurrentSurfaceTexture::Lost => {
                if let Some(s) = recreate() {
                    self.surface = s;
                    self.surface.configure(&ctx.device, &self.config);
                }
                SurfaceFrame::Skip
            }
            wgpu::CurrentSurfaceTexture::Timeout
            | wgpu::CurrentSurfaceTexture::Occluded
            | wgpu::CurrentSurfaceTexture::Validation => SurfaceFrame::Skip,
        }
    }
}
