//! Input to the viewer, independent of any window system: keys, pointer
//! events, size changes and the passing of time.

use std::str::FromStr;

/// A key the viewer knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Space,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    Escape,
    Enter,
    Tab,
    F1,
    /// A printable character (lower case for letters).
    Char(char),
}

/// Modifier keys held with a key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Mods {
    pub ctrl: bool,
    pub shift: bool,
    pub alt: bool,
}

/// A key with its modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyPress {
    pub key: Key,
    pub mods: Mods,
}

impl KeyPress {
    pub const fn plain(key: Key) -> KeyPress {
        KeyPress {
            key,
            mods: Mods {
                ctrl: false,
                shift: false,
                alt: false,
            },
        }
    }
}

impl FromStr for KeyPress {
    type Err = String;

    /// `space`, `left`, `b`, `plus`, `1`, `ctrl+z`, `shift+right`, `f1`, `?`.
    fn from_str(s: &str) -> Result<KeyPress, String> {
        let mut mods = Mods::default();
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err("missing key name".into());
        }
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl+") {
                mods.ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift+") {
                mods.shift = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt+") {
                mods.alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let key = match rest.to_ascii_lowercase().as_str() {
            "space" => Key::Space,
            "left" => Key::Left,
            "right" => Key::Right,
            "up" => Key::Up,
            "down" => Key::Down,
            "home" => Key::Home,
            "end" => Key::End,
            "escape" | "esc" => Key::Escape,
            "enter" | "return" => Key::Enter,
            "tab" => Key::Tab,
            "f1" => Key::F1,
            "plus" => Key::Char('+'),
            "minus" => Key::Char('-'),
            "question" => Key::Char('?'),
            other => {
                let mut chars = other.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() && c != ' ' => Key::Char(c),
                    _ => {
                        return Err(format!(
                            "unknown key {rest:?} (known: space, left, right, up, down, home, end, \
                             escape, enter, tab, f1, plus, minus, question, or one character, \
                             with ctrl+/shift+/alt+ before it)"
                        ))
                    }
                }
            }
        };
        Ok(KeyPress { key, mods })
    }
}

/// Everything that can happen to the viewer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    /// Time passes: the viewer's clock now reads this many seconds.
    Tick(f64),
    Key(KeyPress),
    /// The pointer moved to a position in physical pixels.
    Move([f32; 2]),
    /// The primary button went down / up at a position.
    Press([f32; 2]),
    Release([f32; 2]),
    /// The pointer left the window.
    Leave,
    /// The wheel turned by this many notches (positive: away from the
    /// user, zoom in) with the pointer at a position.
    Wheel([f32; 2], f32),
    /// The modifier keys held now.
    Modifiers(Mods),
    /// The drawable area changed size (physical pixels).
    Resize(u32, u32),
    /// The window's scale factor (physical pixels per logical pixel).
    Scale(f32),
}

/// What a key or a toolbar button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    TogglePlay,
    StepBack,
    StepForward,
    Start,
    End,
    Best,
    SpeedDown,
    SpeedUp,
    SelectRun(usize),
    ToggleCompare,
    ToggleTimeAxis,
    ToggleHelp,
    /// Esc: closes the help, or leaves the selection for the playing step.
    CloseOverlay,
    /// Selects the trial before or after the selected one (or, with
    /// `second`, moves the second trial of a diff).
    Walk {
        back: bool,
        second: bool,
    },
    /// Selects the parent of the selected (or the current) trial.
    SelectParent,
    /// Both plots back to their default view.
    ResetZoom,
    /// The scatter's points: auto, density, circles.
    CycleScatterMode,
    /// The page: the dashboard, then each insight view in turn.
    CycleInsight,
    /// The Pareto view's cost: the next one the run carries.
    CycleCost,
    /// The Pareto view's accuracy: validation or test.
    ToggleFrontAccuracy,
    /// Edit mode on the live search (on or off).
    Edit,
    /// The LIVE badge: back to the newest trial of a followed trace or a
    /// live search, and keep to it.
    GoLive,
    Quit,
}

impl Action {
    /// The action bound to a key, if any.
    pub(crate) fn for_key(k: KeyPress) -> Option<Action> {
        if k.mods.ctrl && matches!(k.key, Key::Char('q') | Key::Char('w')) {
            return Some(Action::Quit);
        }
        if k.mods.ctrl || k.mods.alt {
            return None;
        }
        Some(match k.key {
            Key::Space => Action::TogglePlay,
            Key::Left => Action::StepBack,
            Key::Right => Action::StepForward,
            Key::Home => Action::Start,
            Key::End => Action::End,
            Key::F1 | Key::Char('?') => Action::ToggleHelp,
            Key::Escape => Action::CloseOverlay,
            Key::Char('b') => Action::Best,
            Key::Char('-') | Key::Char('_') => Action::SpeedDown,
            Key::Char('+') | Key::Char('=') => Action::SpeedUp,
            Key::Char('c') => Action::ToggleCompare,
            Key::Char('t') => Action::ToggleTimeAxis,
            Key::Char('q') => Action::Quit,
            // [ ] walk the selection, { } (or Shift) the diff's second trial
            Key::Char(c @ ('[' | ']' | '{' | '}')) => Action::Walk {
                back: matches!(c, '[' | '{'),
                second: k.mods.shift || matches!(c, '{' | '}'),
            },
            Key::Char('p') => Action::SelectParent,
            Key::Char('z') => Action::ResetZoom,
            Key::Char('e') => Action::Edit,
            Key::Char('d') => Action::CycleScatterMode,
            Key::Char('v') => Action::CycleInsight,
            Key::Char('k') => Action::CycleCost,
            Key::Char('a') => Action::ToggleFrontAccuracy,
            Key::Char(d @ '1'..='9') => Action::SelectRun(d as usize - '1' as usize),
            _ => return None,
        })
    }

    /// What the action does, for tooltips and the key help.
    pub fn describe(self) -> &'static str {
        match self {
            Action::TogglePlay => "Play / pause",
            Action::StepBack => "Step back",
            Action::StepForward => "Step forward",
            Action::Start => "Jump to the first step",
            Action::End => "Jump to the last step",
            Action::Best => "Jump to the best trial so far",
            Action::SpeedDown => "Slower",
            Action::SpeedUp => "Faster",
            Action::SelectRun(_) => "Show this run",
            Action::ToggleCompare => "Compare two runs on one timeline",
            Action::ToggleTimeAxis => "x axis: step or simulated time",
            Action::ToggleHelp => "Key help",
            Action::CloseOverlay => "Close the help, or leave the selection",
            Action::Walk {
                back: true,
                second: false,
            } => "Select the trial before",
            Action::Walk {
                back: false,
                second: false,
            } => "Select the trial after",
            Action::Walk { back: true, .. } => "Move the diff's second trial back",
            Action::Walk { back: false, .. } => "Move the diff's second trial on",
            Action::SelectParent => "Select the parent of the selected trial",
            Action::ResetZoom => "Reset the zoom of both plots",
            Action::CycleScatterMode => "Scatter: auto, density or circles",
            Action::CycleInsight => "Views: dashboard, lineage, Pareto, importance, edits",
            Action::CycleCost => "Pareto: the next cost",
            Action::ToggleFrontAccuracy => "Pareto: validation or test accuracy",
            Action::Edit => "Edit an architecture of the live search (pauses it)",
            Action::GoLive => "Back to the newest trial, and keep to it",
            Action::Quit => "Quit",
        }
    }

    /// The key that does it, as written on screen.
    pub(crate) fn key_name(self) -> String {
        match self {
            Action::TogglePlay => "Space".into(),
            Action::StepBack => "←".into(),
            Action::StepForward => "→".into(),
            Action::Start => "Home".into(),
            Action::End => "End".into(),
            Action::Best => "B".into(),
            Action::SpeedDown => "−".into(),
            Action::SpeedUp => "+".into(),
            Action::SelectRun(i) => format!("{}", i + 1),
            Action::ToggleCompare => "C".into(),
            Action::ToggleTimeAxis => "T".into(),
            Action::ToggleHelp => "? or F1".into(),
            Action::CloseOverlay => "Esc".into(),
            Action::Walk {
                back: true,
                second: false,
            } => "[".into(),
            Action::Walk {
                back: false,
                second: false,
            } => "]".into(),
            Action::Walk { back: true, .. } => "{".into(),
            Action::Walk { back: false, .. } => "}".into(),
            Action::SelectParent => "P".into(),
            Action::ResetZoom => "Z".into(),
            Action::CycleScatterMode => "D".into(),
            Action::CycleInsight => "V".into(),
            Action::CycleCost => "K".into(),
            Action::ToggleFrontAccuracy => "A".into(),
            Action::Edit => "E".into(),
            Action::GoLive => "End".into(),
            Action::Quit => "Q".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_parse() {
        let k = |s: &str| s.parse::<KeyPress>();
        assert_eq!(k("space"), Ok(KeyPress::plain(Key::Space)));
        assert_eq!(k("plus"), Ok(KeyPress::plain(Key::Char('+'))));
        assert_eq!(k("1"), Ok(KeyPress::plain(Key::Char('1'))));
        let z = k("ctrl+z");
        assert!(z
            .as_ref()
            .is_ok_and(|z| z.mods.ctrl && z.key == Key::Char('z')));
        assert!(k("shift+Right").is_ok_and(|r| r.mods.shift && r.key == Key::Right));
        assert!(k("spacebar").is_err());
        assert!(k("").is_err());
    }

    #[test]
    fn keys_map_to_actions() {
        let a = |s: &str| s.parse::<KeyPress>().ok().and_then(Action::for_key);
        assert_eq!(a("space"), Some(Action::TogglePlay));
        assert_eq!(a("b"), Some(Action::Best));
        assert_eq!(a("2"), Some(Action::SelectRun(1)));
        assert_eq!(a("minus"), Some(Action::SpeedDown));
        assert_eq!(a("f1"), Some(Action::ToggleHelp));
        assert_eq!(a("ctrl+b"), None);
        assert_eq!(a("x"), None);
    }
}
