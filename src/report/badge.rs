//! `parity.svg`: a small badge (the shields.io flat style, drawn here, no
//! network) with the parity score, for an emulator's README.

use super::escape_markup as esc;
use super::parity::Parity;

/// The badge as an SVG document.
pub fn to_svg(p: &Parity) -> String {
    let label = "conform parity";
    let value = format!("{}%", p.score);
    let color = match p.score {
        90.. => "#4c1",
        75..=89 => "#a4a61d",
        50..=74 => "#dfb317",
        _ => "#e05d44",
    };
    // Verdana 11px averages about 7 px a character; 10 px padding each side.
    let lw = text_width(label) + 10;
    let vw = text_width(&value) + 10;
    let w = lw + vw;
    let title = esc(&p.line());
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {value}"><title>{title}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{vw}" height="20" fill="{color}"/><rect width="{w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="14">{label}</text><text x="{vx}" y="14">{value}</text></g></svg>
"##,
        lx = lw / 2,
        vx = lw + vw / 2,
    )
}

fn text_width(s: &str) -> usize {
    s.chars().count() * 7
}
