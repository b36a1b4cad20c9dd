//! The pointer and the keyboard of a winit window as viewer commands:
//! shared by the native window (`window.rs`) and the page (`web.rs`), so
//! both answer the user the same way.

use crate::viewer::command::{Command, Key, KeyPress, Mods};
use crate::viewer::Viewer;
use winit::event::{ElementState, MouseButton, MouseScrollDelta, WindowEvent};
use winit::keyboard::{Key as WKey, ModifiersState, NamedKey};

/// Modifier keys as the viewer names them.
pub(crate) fn mods_of(m: ModifiersState) -> Mods {
    Mods {
        ctrl: m.control_key(),
        shift: m.shift_key(),
        alt: m.alt_key(),
    }
}

/// A key the viewer knows, with the modifiers held.
pub(crate) fn map_key(key: &WKey, mods: ModifiersState) -> Option<KeyPress> {
    let k = match key {
        WKey::Named(n) => match n {
            NamedKey::Space => Key::Space,
            NamedKey::ArrowLeft => Key::Left,
            NamedKey::ArrowRight => Key::Right,
            NamedKey::ArrowUp => Key::Up,
            NamedKey::ArrowDown => Key::Down,
            NamedKey::Home => Key::Home,
            NamedKey::End => Key::End,
            NamedKey::Escape => Key::Escape,
            NamedKey::Enter => Key::Enter,
            NamedKey::Tab => Key::Tab,
            NamedKey::F1 => Key::F1,
            _ => return None,
        },
        WKey::Character(s) => {
            let c = s.chars().next()?;
            Key::Char(c.to_lowercase().next().unwrap_or(c))
        }
        _ => return None,
    };
    Some(KeyPress {
        key: k,
        mods: mods_of(mods),
    })
}

/// Hands the user's input in `event` to the viewer (`now`: the clock, in
/// seconds); whether the event was input. `mods` follows the modifiers.
pub(crate) fn user_input(
    viewer: &mut Viewer,
    event: &WindowEvent,
    mods: &mut ModifiersState,
    now: f64,
) -> bool {
    match event {
        WindowEvent::ModifiersChanged(m) => {
            *mods = m.state();
            viewer.handle(Command::Modifiers(mods_of(*mods)));
        }
        WindowEvent::MouseWheel { delta, .. } => {
            let notches = match delta {
                MouseScrollDelta::LineDelta(_, y) => *y,
                // touchpads: about 40 pixels a notch
                MouseScrollDelta::PixelDelta(p) => (p.y / 40.0) as f32,
            };
            if let Some(p) = viewer.state.mouse() {
                viewer.handle(Command::Tick(now));
                viewer.handle(Command::Wheel(p, notches));
            }
        }
        WindowEvent::KeyboardInput { event, .. } => {
            if event.state == ElementState::Pressed {
                if let Some(k) = map_key(&event.logical_key, *mods) {
                    viewer.handle(Command::Tick(now));
                    viewer.handle(Command::Key(k));
                }
            }
        }
        WindowEvent::CursorMoved { position, .. } => {
            viewer.handle(Command::Move([position.x as f32, position.y as f32]));
        }
        WindowEvent::CursorLeft { .. } => viewer.handle(Command::Leave),
        WindowEvent::MouseInput {
            state,
            button: MouseButton::Left,
            ..
        } => {
            if let Some(p) = viewer.state.mouse() {
                viewer.handle(Command::Tick(now));
                viewer.handle(match state {
                    ElementState::Pressed => Command::Press(p),
                    ElementState::Released => Command::Release(p),
                });
            }
        }
        _ => return false,
    }
    true
}
