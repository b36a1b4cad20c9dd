/// An 8-bit sRGB colour with straight (not premultiplied) alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Color {
    /// Red, sRGB-encoded.
    pub r: u8,
    /// Green, sRGB-encoded.
    pub g: u8,
    /// Blue, sRGB-encoded.
    pub b: u8,
    /// Alpha (linear coverage).
    pub a: u8,
}

impl Color {
    /// Opaque black.
    pub const BLACK: Color = Color::rgb(0, 0, 0);
    /// Opaque white.
    pub const WHITE: Color = Color::rgb(255, 255, 255);
    /// Fully transparent.
    pub const TRANSPARENT: Color = Color::rgba(0, 0, 0, 0);

    /// An opaque colour.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Color { r, g, b, a: 255 }
    }

    /// A colour with alpha.
    pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Color { r, g, b, a }
    }

    /// From `0xRRGGBB`, opaque.
    pub const fn hex(rgb: u32) -> Self {
        Color::rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
    }

    /// The same colour with another alpha.
    pub const fn with_alpha(self, a: u8) -> Self {
        Color { a, ..self }
    }

    /// Packed as the shaders read it (`unpack4x8unorm`: red in the low byte).
    pub const fn packed(self) -> u32 {
        (self.r as u32) | ((self.g as u32) << 8) | ((self.b as u32) << 16) | ((self.a as u32) << 24)
    }

    /// The colour [`Color::packed`] packed.
    pub const fn from_packed(packed: u32) -> Self {
        Color::rgba(
            packed as u8,
            (packed >> 8) as u8,
            (packed >> 16) as u8,
            (packed >> 24) as u8,
        )
    }

    /// As a `wgpu::Color` in linear light, for clearing an sRGB target.
    pub(crate) fn to_wgpu_linear(self) -> wgpu::Color {
        wgpu::Color {
            r: srgb_to_linear(self.r),
            g: srgb_to_linear(self.g),
            b: srgb_to_linear(self.b),
            a: f64::from(self.a) / 255.0,
        }
    }

    /// As a `wgpu::Color` for clearing `format` so that it reads back as this colour.
    pub(crate) fn to_wgpu_for(self, format: wgpu::TextureFormat) -> wgpu::Color {
        if format.is_srgb() {
            self.to_wgpu_linear()
        } else {
            wgpu::Color {
                r: f64::from(self.r) / 255.0,
                g: f64::from(self.g) / 255.0,
                b: f64::from(self.b) / 255.0,
                a: f64::from(self.a) / 255.0,
            }
        }
    }
}

fn srgb_to_linear(v: u8) -> f64 {
    let c = f64::from(v) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips() {
        let c = Color::rgba(1, 2, 3, 4);
        assert_eq!(c.packed(), 0x0403_0201);
        assert_eq!(Color::from_packed(c.packed()), c);
    }
}
